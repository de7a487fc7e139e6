/**
 * Reading untrusted JSON from Comet. Decoders (decode.ts) use these helpers to turn `unknown` into typed
 * values at one boundary; a shape that does not fit is an upstream fault (UPSTREAM_UNAVAILABLE), never a
 * crash deeper in the adapter.
 */
import { UpstreamUnavailableError } from '../../errors';

export type JsonObject = Readonly<Record<string, unknown>>;

export class ShapeError extends UpstreamUnavailableError {
  constructor(where: string, what: string) {
    super(`Comet answered ${where} with an unexpected shape: ${what}`, { reason: 'UPSTREAM_SHAPE' });
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function object(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new ShapeError(where, `expected an object, got ${typeof value}`);
  return value;
}

export function array(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(where, `expected an array, got ${typeof value}`);
  return value;
}

/** `value` as an array; null or absent reads as empty (Comet omits empty lists in places). */
export function optArray(value: unknown, where: string): readonly unknown[] {
  return value === null || value === undefined ? [] : array(value, where);
}

export function string(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ShapeError(where, `expected a string, got ${typeof value}`);
  return value;
}

export function optString(value: unknown, where: string): string | null {
  if (value === null || value === undefined) return null;
  return string(value, where);
}

/** A number sent as a JSON number or a numeric string (the reference leaves several types open, Corrections 9). */
export function optNumber(value: unknown, where: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new ShapeError(where, `expected a number, got ${JSON.stringify(value)?.slice(0, 40)}`);
  return n;
}

export function number(value: unknown, where: string): number {
  const n = optNumber(value, where);
  if (n === null) throw new ShapeError(where, 'expected a number, got nothing');
  return n;
}

export function optBoolean(value: unknown, where: string): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1) return true;
  if (value === 'false' || value === 0) return false;
  throw new ShapeError(where, `expected a boolean, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

/** A scalar value (parameter, other) as Comet stores it: strings kept, numbers and booleans as their text. */
export function scalarText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  throw new ShapeError(where, `expected a scalar value, got ${typeof value}`);
}

/** A list of strings; non-string entries are a shape error. */
export function stringList(value: unknown, where: string): string[] {
  return optArray(value, where).map((item, i) => string(item, `${where}[${i}]`));
}
