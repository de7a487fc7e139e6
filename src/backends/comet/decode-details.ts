/**
 * Decoders of Comet's run-detail answers (docs/run-details.md, from comet-run-details.md): each checks the
 * shape it relies on and maps Comet's names onto the port's.
 */
import type { ColumnSource, GitInfo, SystemDetails } from '../port';
import type { Column } from './decode';
import { array, isObject, object, optNumber, optString, stringList, type JsonObject } from './json';

/** `{"<field>": str}` answers (code, output, html, graph, notes); an empty string is "never logged". */
export function decodeText(json: unknown, field: string, where: string): string | null {
  const text = optString(object(json, where)[field], `${where}.${field}`);
  return text === '' ? null : text;
}

/** The whole output as one string, split into lines (each logged line ends with `\n`). */
export function splitOutput(output: string | null): string[] {
  if (output === null || output === '') return [];
  const lines = output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function decodeGit(json: unknown): GitInfo | null {
  const o = object(json, 'experiment/git/metadata');
  const git: GitInfo = {
    // Comet calls the commit `parent` (R sets it to the commit SHA).
    commit: optString(o.parent, 'git.parent'), branch: optString(o.branch, 'git.branch'), origin: optString(o.origin, 'git.origin'),
    root: optString(o.root, 'git.root'), user: optString(o.user, 'git.user'),
  };
  return Object.values(git).every((v) => v === null) ? null : git;
}

function objects(value: unknown, where: string): JsonObject[] {
  return value == null ? [] : array(value, where).map((item, i) => object(item, `${where}[${i}]`));
}

export function decodeSystemDetails(json: unknown): SystemDetails | null {
  const w = 'experiment/system-details';
  const o = object(json, w);
  const details: SystemDetails = {
    hostname: optString(o.hostname, `${w}.hostname`), user: optString(o.user, `${w}.user`), os: optString(o.os, `${w}.os`),
    osType: optString(o.osType, `${w}.osType`), osRelease: optString(o.osRelease, `${w}.osRelease`), pid: optNumber(o.pid, `${w}.pid`),
    command: stringList(o.command, `${w}.command`), executable: optString(o.executable, `${w}.executable`),
    pythonVersion: optString(o.pythonVersion, `${w}.pythonVersion`), totalRam: optNumber(o.totalRam, `${w}.totalRam`),
    gpus: objects(o.gpuStaticInfoList, `${w}.gpuStaticInfoList`).map((g, i) => ({
      index: optNumber(g.gpuIndex, `${w}.gpus[${i}].gpuIndex`), name: optString(g.name, `${w}.gpus[${i}].name`),
      uuid: optString(g.uuid, `${w}.gpus[${i}].uuid`), totalMemory: optNumber(g.totalMemory, `${w}.gpus[${i}].totalMemory`),
    })),
    installedPackages: stringList(o.installedPackages, `${w}.installedPackages`),
    osPackages: stringList(o.osPackages, `${w}.osPackages`),
    additional: objects(o.logAdditionalSystemInfoList, `${w}.logAdditionalSystemInfoList`).map((kv, i) => ({
      key: optString(kv.key, `${w}.additional[${i}].key`) ?? '', value: String(kv.value ?? ''),
    })),
  };
  const empty = Object.values(details).every((v) => v === null || (Array.isArray(v) && v.length === 0));
  return empty ? null : details;
}

export function decodeCurve(json: unknown, where: string): { name: string | null; x: number[]; y: number[] } {
  const o = isObject(json) ? json : object(json, where);
  const numbers = (value: unknown, field: string) => array(value, `${where}.${field}`).map((n, i) => optNumber(n, `${where}.${field}[${i}]`) ?? Number.NaN);
  return { name: optString(o.name, `${where}.name`), x: numbers(o.x, 'x'), y: numbers(o.y, 'y') };
}

const SOURCES: Readonly<Record<string, ColumnSource>> = {
  metadata: 'METADATA', metrics: 'METRIC', params: 'PARAMETER', log_other: 'OTHER', tag: 'TAG', env_details: 'SYSTEM',
};

/** Comet's column source as the port's; a source the reference does not list reads as OTHER. */
export function columnSource(source: Column['source']): ColumnSource {
  return SOURCES[source] ?? 'OTHER';
}
