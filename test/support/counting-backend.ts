/** A backend that records every domain call it receives, as `domain.method` with its arguments. */
import { DOMAIN_NAMES, type Backend } from '../../src/backends/port';

export interface PortCall {
  method: string;
  args: unknown[];
}

export function countingBackend(backend: Backend): { backend: Backend; calls: PortCall[] } {
  const calls: PortCall[] = [];
  const recording = <T extends object>(target: T, prefix: string): T => new Proxy(target, {
    get: (t, prop, receiver) => {
      const value = Reflect.get(t, prop, receiver) as unknown;
      if (typeof value === 'function') {
        return (...args: unknown[]) => {
          calls.push({ method: prefix + String(prop), args });
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      }
      if (prefix === '' && (DOMAIN_NAMES as readonly unknown[]).includes(prop)) return recording(value as object, `${String(prop)}.`);
      return value;
    },
  });
  return { backend: recording(backend, ''), calls };
}
