/**
 * The checks the access policy is made of, over one backend and one authenticator. Two rules, in this order:
 * 1. Visibility. An experiment in a workspace the key cannot read is treated as missing: `null` in lookups,
 *    left out of lists, empty nested data, NOT_FOUND for writes addressed to it. Experiment keys are the only
 *    way in that does not name a workspace, and a key must not learn what other workspaces hold.
 * 2. Permission. Naming a workspace the key has no grant on (a workspace, project or registered model, a
 *    listing, a create) is FORBIDDEN, whether that workspace exists or not; so is any write the key's role
 *    on the (visible) target does not allow.
 */
import type { Backend, Caller, Experiment } from '../backends/port';
import { ForbiddenError, experimentNotFound } from '../errors';
import type { Authenticator } from './authenticator';
import { ExperimentWorkspaces } from './experiment-workspaces';
import { may, readsEverything, roleIn, roleIncludes, type Principal, type Role } from './roles';

export class Guard {
  readonly inner: Backend;
  readonly #auth: Authenticator;
  readonly #workspaceOf: ExperimentWorkspaces;

  constructor(inner: Backend, auth: Authenticator) {
    this.inner = inner;
    this.#auth = auth;
    this.#workspaceOf = new ExperimentWorkspaces(inner.experiments);
  }

  /** Who the caller is; UNAUTHENTICATED for a missing, unknown or revoked key of a store that has keys. */
  principal(caller: Caller): Principal {
    return this.#auth.principal(caller);
  }

  /** Experiments just read: their workspace is known, so the nested reads that follow need no lookup. */
  remember(experiments: Iterable<Experiment>): void {
    for (const e of experiments) this.#workspaceOf.remember(e.key, e.workspace);
  }

  /** FORBIDDEN unless the caller holds `needed` on the named workspace. */
  requireIn(who: Principal, workspace: string, needed: Role, action: string): void {
    const name = workspace.trim();
    if (!may(who, name, needed)) throw forbidden(who, name, needed, action);
  }

  /** Checks the caller's role on an experiment's workspace (no lookup when a `*` grant covers it). */
  async requireOn(caller: Caller, who: Principal, experimentKey: string, needed: Role, action: string): Promise<void> {
    if (who.everywhere && roleIncludes(who.everywhere, needed)) return; // the store itself says NOT_FOUND
    const workspace = await this.experimentWorkspace(caller, who, experimentKey);
    if (!may(who, workspace, needed)) throw forbidden(who, workspace, needed, action);
  }

  /** The workspace of an experiment the caller can read; NOT_FOUND otherwise, worded as the store's own. */
  async experimentWorkspace(caller: Caller, who: Principal, experimentKey: string): Promise<string> {
    const workspace = (await this.#workspaceOf.of(caller, [experimentKey])).get(experimentKey) ?? null;
    if (workspace === null || !may(who, workspace, 'read')) throw experimentNotFound(experimentKey);
    return workspace;
  }

  /** The keys among `keys` whose experiments exist and the caller may read. */
  async visibleKeys(caller: Caller, who: Principal, keys: readonly string[]): Promise<Set<string>> {
    const visible = new Set<string>();
    if (keys.length === 0) return visible;
    const workspaces = await this.#workspaceOf.of(caller, keys);
    for (const [key, workspace] of workspaces) if (workspace !== null && may(who, workspace, 'read')) visible.add(key);
    return visible;
  }

  /** FORBIDDEN in the slot of each workspace the caller has no grant on. */
  masked<R>(who: Principal, workspaces: readonly string[], rows: readonly R[]): (R | ForbiddenError)[] {
    if (readsEverything(who)) return [...rows];
    return rows.map((row, i) => {
      const name = workspaces[i].trim();
      return may(who, name, 'read') ? row : forbidden(who, name, 'read', 'reading it');
    });
  }

  /** Every descendant of `rootKey` must be readable by the key (registerModel with includeChildren). */
  async requireDescendantsReadable(caller: Caller, who: Principal, rootKey: string): Promise<void> {
    const seen = new Set([rootKey]);
    for (let frontier = [rootKey]; frontier.length > 0;) {
      const next: string[] = [];
      for (const children of await this.inner.experiments.children(caller, frontier)) {
        if (children instanceof Error) throw children;
        for (const child of children) {
          if (!may(who, child.workspace, 'read')) {
            throw new ForbiddenError(`API key ${who.keyId} cannot read every child run of '${rootKey}': register without includeChildren`);
          }
          if (!seen.has(child.key)) next.push(child.key);
          seen.add(child.key);
        }
      }
      frontier = next;
    }
  }
}

function forbidden(who: Principal, workspace: string, needed: Role, action: string): ForbiddenError {
  const held = roleIn(who, workspace);
  return new ForbiddenError(
    held === null
      ? `API key ${who.keyId} has no access to workspace '${workspace}'`
      : `API key ${who.keyId} has the ${held} role on workspace '${workspace}'; ${action} needs ${needed}`,
  );
}
