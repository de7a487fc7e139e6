/**
 * Access control of the embedded store, in one place: a Backend that wraps the real one and applies the
 * policy table (policy.ts) to every call. GraphQL queries and mutations, graphql-ws subscriptions (their
 * access check reads through the port) and the asset routes (the signed URL carries the key it was issued
 * to) all reach the store through here, so none of them can skip it.
 */
import { DOMAIN_NAMES, type Backend, type DomainName, type Domains } from '../backends/port';
import type { Authenticator } from './authenticator';
import { Guard } from './guard';
import { POLICY, type Policy } from './policy';
import { applyRule, type Rule } from './rules';

/** `inner` with every domain method checked by its row of `policy`; closing it closes `inner`, then calls `onClose`. */
export function scopeBackend(inner: Backend, auth: Authenticator, onClose: () => void = () => undefined, policy: Policy = POLICY): Backend {
  const guard = new Guard(inner, auth);
  const domains = Object.fromEntries(DOMAIN_NAMES.map((name) => [name, scopeDomain(guard, inner, name, policy)])) as unknown as Domains;
  const pending = inner.pendingWrites?.bind(inner);
  return {
    ...domains,
    capabilities: () => inner.capabilities(),
    readiness: () => inner.readiness(),
    // Idempotent non-store writes (a signed upload URL): what `produce` does is checked by the calls it makes.
    once: (caller, claim, produce) => {
      guard.principal(caller);
      return inner.once(caller, claim, produce);
    },
    ...(pending ? { pendingWrites: pending } : {}),
    close: async () => {
      try {
        await inner.close();
      } finally {
        onClose();
      }
    },
  };
}

type Method = (...args: unknown[]) => Promise<unknown>;

/** One domain's methods, each through its rule. Only methods with a row exist on the result. */
function scopeDomain(guard: Guard, inner: Backend, name: DomainName, policy: Policy): Domains[DomainName] {
  const port = inner[name] as unknown as Record<string, Method>;
  const rules = policy[name] as unknown as Record<string, Rule<Method>>;
  const scoped: Record<string, Method> = {};
  for (const [method, rule] of Object.entries(rules)) {
    scoped[method] = (caller, ...args) =>
      applyRule(guard, rule, caller as Parameters<typeof applyRule>[2], args as never, () => port[method](caller, ...args) as Promise<never>);
  }
  return scoped as unknown as Domains[DomainName];
}
