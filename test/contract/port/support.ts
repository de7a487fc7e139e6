/**
 * Shared helpers of the port contract suite. Everything here goes through the port interface only, so the
 * same suite runs against every backend.
 */
import { Readable } from 'node:stream';
import type { Backend, Caller, Experiment, MetricPointInput } from '../../../src/backends/port';

export type MakeBackend = () => Backend | Promise<Backend>;
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
  extra: Partial<Parameters<Backend['createExperiment']>[1]> = {},
): Promise<Experiment> {
  return backend.createExperiment(CALLER, { workspace: WORKSPACE, project, ...extra });
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
