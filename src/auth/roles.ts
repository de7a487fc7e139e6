/**
 * Roles and grants of the embedded store's API keys. A key holds one role per workspace it may use
 * (`*` stands for every workspace, present and future). Roles are ordered: each includes the one below.
 *
 *   read   every read in the workspace: projects, experiments, metrics, assets, the model registry, live feed
 *   write  read + experiment writes (create — a missing project is created on the fly, as SDKs expect —,
 *          log metrics, parameters, others, tags, assets, end, archive) and registry writes
 *   admin  write + createProject and deleteExperiment (structure and irreversible removal)
 */
export type Role = 'read' | 'write' | 'admin';
export const ROLES: readonly Role[] = ['read', 'write', 'admin'];

/** The grant that covers every workspace, existing or not. */
export const ALL_WORKSPACES = '*';

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** True when `held` includes what `needed` allows. */
export function roleIncludes(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export interface Grant {
  /** A workspace name, or `*` for all of them. */
  readonly workspace: string;
  readonly role: Role;
}

/** Who a request acts as, once its key is checked: the key's id (safe to log) and what it may do where. */
export interface Principal {
  readonly keyId: string;
  /** Role per workspace name, `*` excluded. */
  readonly roles: ReadonlyMap<string, Role>;
  /** Role on every workspace (the `*` grant), or null. */
  readonly everywhere: Role | null;
}

/** An open store (no key ever created): every caller may do everything. */
export const OPEN_STORE: Principal = Object.freeze({ keyId: 'anonymous', roles: new Map<string, Role>(), everywhere: 'admin' });

export function principalOf(keyId: string, grants: readonly Grant[]): Principal {
  const roles = new Map<string, Role>();
  let everywhere: Role | null = null;
  for (const grant of grants) {
    if (grant.workspace === ALL_WORKSPACES) everywhere = grant.role;
    else roles.set(grant.workspace, grant.role);
  }
  return Object.freeze({ keyId, roles, everywhere });
}

/** The caller's role in a workspace (the higher of its own grant and `*`), or null when it has none. */
export function roleIn(principal: Principal, workspace: string): Role | null {
  const own = principal.roles.get(workspace) ?? null;
  const all = principal.everywhere;
  if (own === null) return all;
  if (all === null) return own;
  return roleIncludes(own, all) ? own : all;
}

export function may(principal: Principal, workspace: string, needed: Role): boolean {
  const held = roleIn(principal, workspace);
  return held !== null && roleIncludes(held, needed);
}

/** True when the key reads every workspace, so reads need no per-workspace filtering. */
export function readsEverything(principal: Principal): boolean {
  return principal.everywhere !== null;
}

/** `ml=write` style, for listings and messages. */
export function formatGrants(grants: readonly Grant[]): string {
  return grants.map((g) => `${g.workspace}=${g.role}`).join(',');
}
