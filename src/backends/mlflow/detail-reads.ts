/**
 * Run-detail reads on MLflow. The runs come from one `runs/get` or `runs/search` for all the keys (or the
 * memory a listing primed), which returns each run's tags inline: git, the user, the entry point and the
 * HTML (detail-tags.ts) cost no call of their own, for any number of runs. A part kept as an artifact
 * (code, model graph, the rest of the system details, dependencies) costs one download per run that has
 * it, known from the run's `trackql.detail.<part>` marker; runs without it cost nothing.
 */
import { UpstreamUnavailableError } from '../../errors';
import type { Dependency, DetailPart, RunDetails, SystemDetails, SystemDetailsInput } from '../port';
import { DETAIL_PARTS } from '../port';
import { checkSystemDetails, emptySystemDetails } from '../shared/details-input';
import { STORED_FILES, marker, readJson, readText, type DetailIo } from './detail-artifacts';
import { gitOf, htmlOf, tagSystem } from './detail-tags';
import type { MlflowRun } from './decode';

function badShape(what: string): UpstreamUnavailableError {
  return new UpstreamUnavailableError(`The run's ${what} artifact is of an unknown shape: it was changed outside the gateway`, { reason: 'BAD_SHAPE' });
}

/** The stored system details (all but `user`), checked as a write would be: the file is anyone's to change. */
export async function storedSystem(io: DetailIo, run: MlflowRun): Promise<SystemDetailsInput> {
  if (marker(run, 'system') === null) return {};
  const json = await readJson(io, run, STORED_FILES.system);
  if (json === null) return {};
  if (typeof json !== 'object' || Array.isArray(json)) throw badShape('system details');
  try {
    const { user: _user, ...rest } = checkSystemDetails(json as SystemDetailsInput);
    return rest;
  } catch {
    throw badShape('system details');
  }
}

async function systemDetailsOf(io: DetailIo, run: MlflowRun): Promise<SystemDetails | null> {
  const tags = tagSystem(run);
  const stored = await storedSystem(io, run);
  if (tags.user === null && tags.sourceName === null && Object.keys(stored).length === 0) return null;
  const details: SystemDetails = { ...emptySystemDetails() };
  for (const [field, value] of Object.entries(stored)) if (value != null) Object.assign(details, { [field]: value });
  details.user = tags.user;
  // The full command when the gateway stored one; otherwise the entry point MLflow's client recorded.
  if (details.command.length === 0 && tags.sourceName !== null) details.command = [tags.sourceName];
  return details;
}

async function dependenciesOf(io: DetailIo, run: MlflowRun): Promise<Dependency[]> {
  if (marker(run, 'dependencies') === null) return [];
  const json = await readJson(io, run, STORED_FILES.dependencies);
  if (json === null) return [];
  const ok = Array.isArray(json) && json.every((d) => typeof d === 'object' && d !== null && typeof d.name === 'string' && typeof d.version === 'string');
  if (!ok) throw badShape('dependencies');
  return (json as Dependency[]).map((d) => ({ name: d.name, version: d.version }));
}

async function textOf(io: DetailIo, run: MlflowRun, part: 'code' | 'modelGraph'): Promise<string | null> {
  return marker(run, part) === null ? null : readText(io, run, STORED_FILES[part]);
}

/** One run's details: only the parts asked for are read; the others are null. */
export async function detailsOf(io: DetailIo, run: MlflowRun, parts: readonly DetailPart[] = DETAIL_PARTS): Promise<RunDetails> {
  const want = new Set(parts);
  const [code, modelGraph, systemDetails, dependencies] = await Promise.all([
    want.has('code') ? textOf(io, run, 'code') : null,
    want.has('modelGraph') ? textOf(io, run, 'modelGraph') : null,
    want.has('systemDetails') ? systemDetailsOf(io, run) : null,
    want.has('dependencies') ? dependenciesOf(io, run) : null,
  ]);
  return {
    code, modelGraph, systemDetails, dependencies,
    git: want.has('git') ? gitOf(run) : null,
    html: want.has('html') ? htmlOf(run) : null,
  };
}
