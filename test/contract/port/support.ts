/**
 * Shared helpers of the port contract suite. Everything here goes through the port interface only, so the
 * same suite runs against every backend.
 */
import { Readable } from 'node:stream';
import { DOMAIN_NAMES, type Backend, type Caller, type Capabilities, type Experiment, type MetricPointInput } from '../../../src/backends/port';

export type MakeBackend = () => Backend | Promise<Backend>;

/** `backend` with every domain call made as `caller`, whatever caller the test passes (the suite uses CALLER). */
export function actingAs(backend: Backend, caller: Caller): Backend {
  const domains = Object.fromEntries(DOMAIN_NAMES.map((name) => {
    const port = backend[name] as unknown as Record<string, (...args: unknown[]) => unknown>;
    return [name, new Proxy(port, {
      get: (target, method) => {
        const fn = Reflect.get(target, method) as unknown;
        return typeof fn === 'function' ? (_caller: Caller, ...args: unknown[]) => (fn as (...a: unknown[]) => unknown).call(target, caller, ...args) : fn;
      },
    })];
  }));
  return { ...backend, ...domains, capabilities: () => backend.capabilities(), readiness: () => backend.readiness(), close: () => backend.close(),
    once: (_caller, claim, produce) => backend.once(caller, claim, produce) } as Backend;
}

/**
 * A test of a capability: run where the backend has it; elsewhere a skipped test whose name says why (its
 * refusal is asserted by a test of its own, never by returning early).
 */
export function itWhen(capabilities: Capabilities, flag: (c: Capabilities) => boolean, what: string, name: string, fn: () => Promise<void>): void {
  if (flag(capabilities)) it(name, fn);
  else it.skip(`${name} (skipped: capabilities.${what} is false on ${capabilities.backend})`, fn);
}
/** The backend of the running test (a fresh one per test). */
export type GetBackend = () => Backend;

export const CALLER: Caller = Object.freeze({ apiKey: null, keyId: 'anonymous' });
export const WORKSPACE = 'contract-ws';
export const BASE_TIME = Date.UTC(2024, 0, 1);

let counter = 0;
/** A project name not used by any other test (some backends keep state across tests). */
export function uniqueProject(prefix = 'proj'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export async function newExperiment(
  backend: Backend,
  project: string,
  extra: Partial<Parameters<Backend['experiments']['create']>[1]> = {},
): Promise<Experiment> {
  return backend.experiments.create(CALLER, { workspace: WORKSPACE, project, ...extra });
}

/** Points `name` at steps 0..n-1, value f(step), timestamp BASE_TIME + step. */
export function series(name: string, n: number, value: (step: number) => number, start = 0): MetricPointInput[] {
  return Array.from({ length: n }, (_, index) => {
    const step = start + index;
    return { name, step, value: value(step), timestamp: BASE_TIME + step };
  });
}

export function bodyOf(bytes: Buffer | string, chunkSize = 7): Readable {
  const buffer = Buffer.from(bytes);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < buffer.length; offset += chunkSize) chunks.push(buffer.subarray(offset, offset + chunkSize));
  return Readable.from(chunks);
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Asserts a rejection with the given public error code. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

export function isSorted<T>(items: readonly T[], compare: (a: T, b: T) => number): boolean {
  return items.every((item, index) => index === 0 || compare(items[index - 1], item) <= 0);
}

/** Object.is-based value equality, so NaN equals NaN and 0 differs from -0 only where it matters. */
export function sameNumbers(actual: readonly number[], expected: readonly number[]): boolean {
  return actual.length === expected.length && actual.every((value, index) => Object.is(value, expected[index]));
}
