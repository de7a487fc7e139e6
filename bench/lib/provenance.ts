/** Where a run's figures come from: the commit measured, and whether the tree had changes on top of it. */
import { spawnSync } from 'node:child_process';

export interface Provenance {
  /** `git rev-parse HEAD`, or `unknown` outside a checkout. */
  commit: string;
  /** True when tracked files differed from the commit (the figures are then of uncommitted code). */
  dirty: boolean;
}

/** Of the checkout this file is in (git finds it from any folder below), whether run from source or from dist/. */
export function describeProvenance(root = __dirname): Provenance {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return { commit: 'unknown', dirty: false };
  const status = git('status', '--porcelain', '--untracked-files=no');
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}
