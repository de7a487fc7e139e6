/**
 * Run details: what produced a run (its code, the machine, git, dependencies) and what it left beside its
 * metrics (console output, HTML notes, the model graph, curves), plus a project's notes and columns.
 * Reads are batch-first like every domain; writes change only the fields given.
 */
import type { Caller, Page, PageRequest, ReadOptions, WriteOptions, WriteStatus } from './common';
import type { ProjectRef } from './projects';

export type OutputStream = 'STDOUT' | 'STDERR';
export const OUTPUT_STREAMS: readonly OutputStream[] = ['STDOUT', 'STDERR'];

/** One line of console output; `offset` is its 0-based position in the run's whole output. */
export interface OutputLine {
  offset: number;
  text: string;
  stream: OutputStream;
  /** Unix ms, when known. */
  timestamp: number | null;
}

export interface Gpu {
  index: number | null;
  name: string | null;
  uuid: string | null;
  /** Bytes. */
  totalMemory: number | null;
}
/** A GPU as written: fields left out are unknown. */
export type GpuInput = { [K in keyof Gpu]?: Gpu[K] };

export interface KeyValue {
  key: string;
  value: string;
}

/** The machine and process a run ran in. Every field may be unknown. */
export interface SystemDetails {
  hostname: string | null;
  user: string | null;
  os: string | null;
  osType: string | null;
  osRelease: string | null;
  pid: number | null;
  command: string[];
  executable: string | null;
  pythonVersion: string | null;
  /** Bytes. */
  totalRam: number | null;
  gpus: Gpu[];
  installedPackages: string[];
  osPackages: string[];
  additional: KeyValue[];
}

export interface GitInfo {
  commit: string | null;
  branch: string | null;
  origin: string | null;
  root: string | null;
  user: string | null;
}

export interface Dependency {
  name: string;
  version: string;
}

/** One experiment's details; a field never logged is null (lists: empty). */
export interface RunDetails {
  code: string | null;
  systemDetails: SystemDetails | null;
  git: GitInfo | null;
  html: string | null;
  modelGraph: string | null;
  /** Null where the backend cannot read them back (`capabilities().details.dependencies` false). */
  dependencies: Dependency[] | null;
}

/** The parts of `RunDetails` a read may ask for (all when not said): a backend may fetch each on its own. */
export type DetailPart = 'code' | 'systemDetails' | 'git' | 'html' | 'modelGraph' | 'dependencies';
export const DETAIL_PARTS: readonly DetailPart[] = ['code', 'systemDetails', 'git', 'html', 'modelGraph', 'dependencies'];

export interface DetailReadOptions extends ReadOptions {
  /** Only these parts are read; the others come back null (dependencies: null too). */
  parts?: readonly DetailPart[];
}

export interface Curve {
  name: string;
  step: number | null;
  x: number[];
  y: number[];
}

export type ColumnSource = 'METRIC' | 'PARAMETER' | 'OTHER' | 'TAG' | 'METADATA' | 'SYSTEM';

/** A column a project's runs can be shown, filtered or ordered by. */
export interface ProjectColumn {
  name: string;
  source: ColumnSource;
  /** string, boolean, double, datetime or timenumber, when known. */
  type: string | null;
}

/** One page of one run's output, from `after` (an offset cursor); only `stream` when given. */
export interface OutputPageRequest extends PageRequest {
  experimentKey: string;
  stream?: OutputStream | null;
}

/** Fields left `undefined` stay as they are; a list given replaces the stored one. */
export interface SystemDetailsInput {
  hostname?: string | null;
  user?: string | null;
  os?: string | null;
  osType?: string | null;
  osRelease?: string | null;
  pid?: number | null;
  command?: string[] | null;
  executable?: string | null;
  pythonVersion?: string | null;
  totalRam?: number | null;
  gpus?: GpuInput[] | null;
  installedPackages?: string[] | null;
  osPackages?: string[] | null;
  additional?: KeyValue[] | null;
}

export type HtmlMode = 'REPLACE' | 'APPEND';

/** Only the fields given change (null counts as not given). `git` replaces the stored git state whole. */
export interface UpdateRunDetailsInput {
  experimentKey: string;
  code?: string | null;
  systemDetails?: SystemDetailsInput | null;
  git?: Partial<GitInfo> | null;
  html?: string | null;
  htmlMode?: HtmlMode | null;
  modelGraph?: string | null;
  dependencies?: Dependency[] | null;
}

export interface OutputLineInput {
  text: string;
  stream: OutputStream;
  timestamp?: number | null;
}

export interface LogCurveInput {
  experimentKey: string;
  name: string;
  x: number[];
  y: number[];
  step?: number | null;
}

/** Lines per `appendOutput` call, and characters of all its lines together: past either, nothing is stored. */
export const MAX_OUTPUT_LINES = 10_000;
export const MAX_OUTPUT_CHARS = 4 * 1024 * 1024;
/** Characters of one text field (code, html, model graph) after a write. */
export const MAX_DETAIL_CHARS = 8 * 1024 * 1024;
/** Points of one curve; curves per run (Comet's limit, docs/run-details.md). */
export const MAX_CURVE_POINTS = 100_000;
export const MAX_CURVES = 1_000;

export interface DetailsCapabilities {
  /** Run details are kept at all (otherwise every read slot and write is refused with reason UNSUPPORTED). */
  supported: boolean;
  /** Output lines keep their stream and time (otherwise all read back as STDOUT without a time, and `stream` is refused). */
  outputStreams: boolean;
  /** Dependencies logged can be read back. */
  dependencies: boolean;
}

export interface DetailsPort {
  /** One slot per key, in key order; null where the experiment does not exist. */
  get(caller: Caller, keys: readonly string[], options?: DetailReadOptions): Promise<(RunDetails | Error | null)[]>;
  /** One page per request, in offset order; an unknown experiment gives an empty page. */
  output(caller: Caller, requests: readonly OutputPageRequest[], options?: ReadOptions): Promise<(Page<OutputLine> | Error)[]>;
  /** Curves per key, ordered by name then step. */
  curves(caller: Caller, keys: readonly string[], options?: ReadOptions): Promise<(Curve[] | Error)[]>;
  /** Notes per project, null where none were set or the project does not exist. */
  projectNotes(caller: Caller, refs: readonly ProjectRef[]): Promise<(string | null | Error)[]>;
  /** Columns per project, ordered by source then name; [] for a missing project. */
  projectColumns(caller: Caller, refs: readonly ProjectRef[]): Promise<(ProjectColumn[] | Error)[]>;
  update(caller: Caller, input: UpdateRunDetailsInput, options?: WriteOptions): Promise<void>;
  /** All lines or none; they follow the run's last line. */
  appendOutput(caller: Caller, experimentKey: string, lines: readonly OutputLineInput[], options?: WriteOptions): Promise<{ accepted: number; status: WriteStatus }>;
  logCurve(caller: Caller, input: LogCurveInput, options?: WriteOptions): Promise<void>;
  setProjectNotes(caller: Caller, ref: ProjectRef, notes: string, options?: WriteOptions): Promise<void>;
}
