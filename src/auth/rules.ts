/**
 * The kinds of access rule, and the one function that applies a rule to a call. A rule is data: the role a
 * call needs and how the workspace of its target is found (experiment key, workspace name, project or model
 * ref), and how an invisible target is shown (missing, left out, FORBIDDEN). `custom` holds the few calls
 * that combine several checks.
 */
import type { Caller } from '../backends/port';
import { UnreachableCaseError } from '../errors';
import type { Guard } from './guard';
import { readsEverything, type Principal, type Role } from './roles';

/** The arguments of a port method after the caller. */
export type ArgsOf<F> = F extends (caller: Caller, ...args: infer A) => unknown ? A : never;
/** What a port method's promise resolves to. */
export type ResultOf<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;
type SlotOf<F> = ResultOf<F> extends readonly (infer S)[] ? S : never;

export type Rule<F> =
  /** A call addressed to one experiment: NOT_FOUND when the caller cannot see it (or `null` with `invisible: 'null'`), FORBIDDEN below `role`. */
  | { kind: 'experiment'; role: Role; key: (...args: ArgsOf<F>) => string; action: string; invisible?: 'not-found' | 'null' }
  /** A batch read by experiment keys: the slots of experiments the caller cannot see become `hidden`. */
  | { kind: 'experiments'; keys: (...args: ArgsOf<F>) => readonly string[]; hidden: (index: number, ...args: ArgsOf<F>) => SlotOf<F> }
  /** A call naming one workspace: FORBIDDEN below `role`, whether the workspace exists or not. */
  | { kind: 'workspace'; role: Role; workspace: (...args: ArgsOf<F>) => string; action: string }
  /** A batch read naming one workspace per slot: FORBIDDEN in the slot of each workspace without a grant. */
  | { kind: 'workspaces'; workspaces: (...args: ArgsOf<F>) => readonly string[] }
  /**
   * A call on what belongs to the caller's own API key alone (its dead letters): it names no workspace, so
   * any key may make it, and the backend answers only with that key's own records.
   */
  | { kind: 'own' }
  /** Anything else, written out. `call` runs the method on the inner backend with the same arguments. */
  | { kind: 'custom'; apply: (guard: Guard, who: Principal, caller: Caller, call: () => Promise<ResultOf<F>>, ...args: ArgsOf<F>) => Promise<ResultOf<F>> };

// Rule constructors: the policy table reads as one line per method.
export const onExperiment = <F>(role: Role, key: (...args: ArgsOf<F>) => string, action: string, invisible: 'not-found' | 'null' = 'not-found'): Rule<F> =>
  ({ kind: 'experiment', role, key, action, invisible });
export const perExperiment = <F>(keys: (...args: ArgsOf<F>) => readonly string[], hidden: (index: number, ...args: ArgsOf<F>) => SlotOf<F>): Rule<F> =>
  ({ kind: 'experiments', keys, hidden });
export const inWorkspace = <F>(role: Role, workspace: (...args: ArgsOf<F>) => string, action: string): Rule<F> =>
  ({ kind: 'workspace', role, workspace, action });
export const perWorkspace = <F>(workspaces: (...args: ArgsOf<F>) => readonly string[]): Rule<F> => ({ kind: 'workspaces', workspaces });
export const ownOnly = <F>(): Rule<F> => ({ kind: 'own' });
export const custom = <F>(apply: Extract<Rule<F>, { kind: 'custom' }>['apply']): Rule<F> => ({ kind: 'custom', apply });

/** Checks `caller` against `rule`, then runs `call` (or not), and hides what the caller may not see in its answer. */
export async function applyRule<F>(guard: Guard, rule: Rule<F>, caller: Caller, args: ArgsOf<F>, call: () => Promise<ResultOf<F>>): Promise<ResultOf<F>> {
  const who = guard.principal(caller);
  switch (rule.kind) {
    case 'experiment': {
      const key = rule.key(...args);
      if (rule.invisible === 'null') {
        const visible = readsEverything(who) || (await guard.visibleKeys(caller, who, [key])).has(key);
        return visible ? call() : (null as ResultOf<F>);
      }
      await guard.requireOn(caller, who, key, rule.role, rule.action);
      return call();
    }
    case 'experiments': {
      if (readsEverything(who)) return call();
      const keys = rule.keys(...args);
      const visible = await guard.visibleKeys(caller, who, keys);
      const rows = (await call()) as readonly SlotOf<F>[];
      return rows.map((row, i) => (visible.has(keys[i]) ? row : rule.hidden(i, ...args))) as ResultOf<F>;
    }
    case 'workspace':
      guard.requireIn(who, rule.workspace(...args), rule.role, rule.action);
      return call();
    case 'workspaces':
      return guard.masked(who, rule.workspaces(...args), (await call()) as readonly unknown[]) as ResultOf<F>;
    case 'own':
      return call();
    case 'custom':
      return rule.apply(guard, who, caller, call, ...args);
    default:
      throw new UnreachableCaseError(rule);
  }
}
