/**
 * The run details MLflow has fields for, as its own system tags (`mlflow/utils/mlflow_tags.py`), read from
 * the run a listing or `runs/get` already returned, so they cost no call of their own:
 *
 * - git: `mlflow.source.git.commit`, `.branch`, `.repoURL` (or the older `mlflow.gitRepoURL`) as commit,
 *   branch and origin. MLflow has no git root or git user: those are the gateway's `trackql.git.root` and
 *   `trackql.git.user`. `mlflow.user` is not the git user: MLflow sets it to the account that ran the code.
 * - system details: `mlflow.user` as `user`, `mlflow.source.name` (the entry point MLflow's client records,
 *   the script as `sys.argv[0]` names it) as the first word of `command`.
 * - html: `mlflow.note.content`, the run's description in MLflow's UI.
 *
 * An empty value reads as unknown: a git update replaces the stored git state whole, and the gateway writes
 * the fields it was not given as empty values (log-batch cannot remove a tag).
 */
import type { GitInfo, SystemDetailsInput } from '../port';
import type { KeyValue } from './api';
import type { MlflowRun } from './decode';
import { GatewayTag, Tag } from './protocol';

const value = (run: MlflowRun, key: string): string | null => {
  const v = run.tags.get(key);
  return v === undefined || v === '' ? null : v;
};

/** Each git field and the tag holding it. */
const GIT_TAGS: Readonly<Record<keyof GitInfo, string>> = {
  commit: Tag.gitCommit,
  branch: Tag.gitBranch,
  origin: Tag.gitRepoUrl,
  root: GatewayTag.gitRoot,
  user: GatewayTag.gitUser,
};

/** The run's git state; null when no git tag holds a value. */
export function gitOf(run: MlflowRun): GitInfo | null {
  const git: GitInfo = {
    commit: value(run, GIT_TAGS.commit),
    branch: value(run, GIT_TAGS.branch),
    origin: value(run, GIT_TAGS.origin) ?? value(run, Tag.legacyGitRepoUrl),
    root: value(run, GIT_TAGS.root),
    user: value(run, GIT_TAGS.user),
  };
  return Object.values(git).every((v) => v === null) ? null : git;
}

/** The tags of a git update: every field, those not given empty, since the update replaces the whole state. */
export function gitTags(git: Partial<GitInfo>, run: MlflowRun): KeyValue[] {
  const tags = (Object.keys(GIT_TAGS) as (keyof GitInfo)[]).map((field) => ({ key: GIT_TAGS[field], value: git[field] ?? '' }));
  // The older repository tag would otherwise show through an origin cleared here.
  if (run.tags.has(Tag.legacyGitRepoUrl)) tags.push({ key: Tag.legacyGitRepoUrl, value: git.origin ?? '' });
  return tags;
}

/** What MLflow's tags say of the machine and process: the user and the entry point. */
export function tagSystem(run: MlflowRun): { user: string | null; sourceName: string | null } {
  return { user: value(run, Tag.user), sourceName: value(run, Tag.sourceName) };
}

/** The tags of a system-details update: `user` and the first word of `command`, when given. */
export function systemTags(input: SystemDetailsInput): KeyValue[] {
  const tags: KeyValue[] = [];
  if (input.user !== undefined) tags.push({ key: Tag.user, value: input.user ?? '' });
  if (input.command !== undefined) tags.push({ key: Tag.sourceName, value: input.command?.[0] ?? '' });
  return tags;
}

export function htmlOf(run: MlflowRun): string | null {
  return value(run, Tag.note);
}
