/**
 * The checks of run-detail writes, shared by every backend (and the service in front of them), so a
 * hostile input gets the same error everywhere and nothing is stored: all of a write is checked before any
 * of it is sent or stored.
 *
 * Text fields (code, HTML, the model graph, output lines) are data: any character is kept as sent, NUL and
 * markup included. Only text that cannot round-trip is refused: lone UTF-16 surrogates, which UTF-8 stores
 * and JSON upstreams would silently replace.
 */
import { BadUserInputError, PayloadTooLargeError } from '../../errors';
import {
  MAX_CURVE_POINTS, MAX_DETAIL_CHARS, MAX_OUTPUT_CHARS, MAX_OUTPUT_LINES, OUTPUT_STREAMS,
  type Dependency, type GitInfo, type Gpu, type GpuInput, type KeyValue, type LogCurveInput, type OutputLineInput, type SystemDetailsInput,
  type UpdateRunDetailsInput,
} from '../port/details';

const MAX_SHORT = 4_096;
/** In a `u` regex a paired surrogate is one code point: only a lone one matches. */
const LONE_SURROGATE = /\p{Cs}/u;
const MAX_ITEMS = 100_000;

export function requireKey(value: unknown, field = 'experimentKey'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BadUserInputError(`${field} must be a non-empty string`, { field });
  return value.trim();
}

/** Free text kept as sent; too long is PAYLOAD_TOO_LARGE. */
export function detailText(value: unknown, field: string, max = MAX_DETAIL_CHARS): string {
  if (typeof value !== 'string') throw new BadUserInputError(`${field} must be a string`, { field });
  if (value.length > max) throw new PayloadTooLargeError(`${field} must be at most ${max} characters, got ${value.length}`, { field, max });
  if (LONE_SURROGATE.test(value)) throw new BadUserInputError(`${field} holds a lone UTF-16 surrogate, which cannot be stored as sent`, { field });
  return value;
}

function shortText(value: unknown, field: string): string | null {
  return value == null ? null : detailText(value, field, MAX_SHORT);
}

function nonNegative(value: unknown, field: string, integer: boolean): number | null {
  if (value == null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isSafeInteger(value))) {
    throw new BadUserInputError(`${field} must be a non-negative ${integer ? 'integer' : 'number'}, got ${String(value)}`, { field });
  }
  return value;
}

function strings(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new BadUserInputError(`${field} must be a list of strings`, { field });
  if (value.length > MAX_ITEMS) throw new PayloadTooLargeError(`${field} may hold at most ${MAX_ITEMS} items`, { field });
  return value.map((item, i) => shortText(item, `${field}[${i}]`) ?? '');
}

function gpus(value: readonly GpuInput[], field: string): Gpu[] {
  return value.map((gpu, i) => ({
    index: nonNegative(gpu.index, `${field}[${i}].index`, true),
    name: shortText(gpu.name, `${field}[${i}].name`),
    uuid: shortText(gpu.uuid, `${field}[${i}].uuid`),
    totalMemory: nonNegative(gpu.totalMemory, `${field}[${i}].totalMemory`, false),
  }));
}

function keyValues(value: readonly KeyValue[], field: string): KeyValue[] {
  return value.map((kv, i) => ({ key: requireKey(kv.key, `${field}[${i}].key`), value: shortText(kv.value, `${field}[${i}].value`) ?? '' }));
}

/** The system-details fields given, checked; absent ones stay absent. */
export function checkSystemDetails(input: SystemDetailsInput): SystemDetailsInput {
  const out: SystemDetailsInput = {};
  const f = 'systemDetails';
  for (const key of ['hostname', 'user', 'os', 'osType', 'osRelease', 'executable', 'pythonVersion'] as const) {
    if (input[key] !== undefined) out[key] = shortText(input[key], `${f}.${key}`);
  }
  if (input.pid !== undefined) out.pid = nonNegative(input.pid, `${f}.pid`, true);
  if (input.totalRam !== undefined) out.totalRam = nonNegative(input.totalRam, `${f}.totalRam`, false);
  for (const key of ['command', 'installedPackages', 'osPackages'] as const) {
    if (input[key] !== undefined) out[key] = input[key] === null ? [] : strings(input[key], `${f}.${key}`);
  }
  if (input.gpus !== undefined) out.gpus = gpus(input.gpus ?? [], `${f}.gpus`);
  if (input.additional !== undefined) out.additional = keyValues(input.additional ?? [], `${f}.additional`);
  return out;
}

function checkGit(git: Partial<GitInfo>): GitInfo {
  return {
    commit: shortText(git.commit, 'git.commit'), branch: shortText(git.branch, 'git.branch'), origin: shortText(git.origin, 'git.origin'),
    root: shortText(git.root, 'git.root'), user: shortText(git.user, 'git.user'),
  };
}

function checkDependencies(list: readonly Dependency[]): Dependency[] {
  if (list.length > MAX_ITEMS) throw new PayloadTooLargeError(`dependencies may hold at most ${MAX_ITEMS} items`, { field: 'dependencies' });
  return list.map((d, i) => ({ name: requireKey(d.name, `dependencies[${i}].name`), version: shortText(d.version, `dependencies[${i}].version`) ?? '' }));
}

/** The update, checked; BAD_USER_INPUT when it changes nothing. */
export function checkUpdate(input: UpdateRunDetailsInput): UpdateRunDetailsInput {
  const out: UpdateRunDetailsInput = { experimentKey: requireKey(input.experimentKey) };
  if (input.code != null) out.code = detailText(input.code, 'code');
  if (input.html != null) out.html = detailText(input.html, 'html');
  if (input.modelGraph != null) out.modelGraph = detailText(input.modelGraph, 'modelGraph');
  if (input.htmlMode != null) {
    if (input.htmlMode !== 'REPLACE' && input.htmlMode !== 'APPEND') throw new BadUserInputError('htmlMode must be REPLACE or APPEND', { field: 'htmlMode' });
    out.htmlMode = input.htmlMode;
  }
  if (input.systemDetails != null) out.systemDetails = checkSystemDetails(input.systemDetails);
  if (input.git != null) out.git = checkGit(input.git);
  if (input.dependencies != null) out.dependencies = checkDependencies(input.dependencies);
  const changes = ['code', 'html', 'modelGraph', 'systemDetails', 'git', 'dependencies'] as const;
  if (!changes.some((k) => out[k] !== undefined)) {
    throw new BadUserInputError(`updateRunDetails changes nothing: give at least one of ${changes.join(', ')}`, { field: 'input' });
  }
  return out;
}

/**
 * Output lines, checked: 1 to MAX_OUTPUT_LINES, at most MAX_OUTPUT_CHARS in all (PAYLOAD_TOO_LARGE past
 * either), no line break inside a line (one trailing `\n` is dropped, as consoles print lines).
 */
export function checkOutputLines(lines: readonly OutputLineInput[]): OutputLineInput[] {
  if (!Array.isArray(lines) || lines.length === 0) throw new BadUserInputError('lines must hold at least one line', { field: 'lines' });
  if (lines.length > MAX_OUTPUT_LINES) {
    throw new PayloadTooLargeError(`lines may hold at most ${MAX_OUTPUT_LINES} lines per call, got ${lines.length}`, { field: 'lines', max: MAX_OUTPUT_LINES });
  }
  let total = 0;
  return lines.map((line, i) => {
    const field = `lines[${i}]`;
    if (typeof line.text !== 'string') throw new BadUserInputError(`${field}.text must be a string`, { field: `${field}.text` });
    total += line.text.length;
    if (total > MAX_OUTPUT_CHARS) {
      throw new PayloadTooLargeError(`lines may hold at most ${MAX_OUTPUT_CHARS} characters per call; send the output in several calls`, { field: 'lines', max: MAX_OUTPUT_CHARS });
    }
    const text = detailText(line.text.endsWith('\n') ? line.text.slice(0, -1) : line.text, `${field}.text`);
    if (/[\r\n]/.test(text)) throw new BadUserInputError(`${field}.text holds a line break: send one line per item`, { field: `${field}.text` });
    if (!OUTPUT_STREAMS.includes(line.stream)) throw new BadUserInputError(`${field}.stream must be STDOUT or STDERR`, { field: `${field}.stream` });
    const timestamp = line.timestamp ?? null;
    if (timestamp !== null && (!Number.isSafeInteger(timestamp) || timestamp < 0)) {
      throw new BadUserInputError(`${field}.timestamp must be Unix milliseconds`, { field: `${field}.timestamp` });
    }
    return { text, stream: line.stream, timestamp };
  });
}

export function checkCurve(input: LogCurveInput): LogCurveInput {
  const name = requireKey(input.name, 'name');
  if (name.length > MAX_SHORT) throw new BadUserInputError(`name must be at most ${MAX_SHORT} characters`, { field: 'name' });
  if (!Array.isArray(input.x) || !Array.isArray(input.y) || input.x.length !== input.y.length || input.x.length === 0) {
    throw new BadUserInputError('x and y must be non-empty lists of the same length', { field: 'x' });
  }
  if (input.x.length > MAX_CURVE_POINTS) throw new PayloadTooLargeError(`a curve may hold at most ${MAX_CURVE_POINTS} points`, { field: 'x', max: MAX_CURVE_POINTS });
  for (const [field, list] of [['x', input.x], ['y', input.y]] as const) {
    const bad = list.findIndex((n) => typeof n !== 'number' || !Number.isFinite(n));
    if (bad >= 0) throw new BadUserInputError(`${field}[${bad}] must be a finite number`, { field: `${field}[${bad}]` });
  }
  const step = input.step ?? null;
  if (step !== null && (!Number.isSafeInteger(step) || step < 0)) throw new BadUserInputError('step must be a non-negative integer', { field: 'step' });
  return { experimentKey: requireKey(input.experimentKey), name, x: [...input.x], y: [...input.y], step };
}

export function checkNotes(notes: unknown): string {
  return detailText(notes, 'notes');
}

/** An empty system-details record, for merging partial updates into. */
export function emptySystemDetails() {
  return {
    hostname: null, user: null, os: null, osType: null, osRelease: null, pid: null, command: [], executable: null,
    pythonVersion: null, totalRam: null, gpus: [], installedPackages: [], osPackages: [], additional: [],
  };
}

/** Offset cursors of output pages: the offset of the line, as a string. */
export function outputCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

export function offsetAfter(cursor: string | null | undefined): number {
  if (cursor == null) return -1;
  const match = /^o:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new BadUserInputError('after is not a cursor of this output', { field: 'after' });
  return Number(match[1]);
}
