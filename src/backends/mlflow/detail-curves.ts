/**
 * A run's curves on MLflow: one JSON artifact per `logCurve` call,
 * `trackql/curves/<Unix ms, 13 digits>-<random>.json` = `{name, step, x, y}`. Reading a run's curves is one
 * listing plus one download per curve; a curve logged twice under the same name and step keeps both, as
 * on Comet, in the order they were logged.
 */
import { randomBytes } from 'node:crypto';
import { BadUserInputError, UpstreamUnavailableError } from '../../errors';
import type { Curve, LogCurveInput } from '../port';
import { MAX_CURVES } from '../port';
import { listFolder, readJson, writeText, type DetailIo } from './detail-artifacts';
import type { MlflowRun } from './decode';
import { DETAILS_FOLDER } from './protocol';

const CURVES_DIR = `${DETAILS_FOLDER}/curves`;
const CURVE_NAME = /^\d{13}-[0-9a-f]{16}\.json$/;

async function curveFiles(io: DetailIo, run: MlflowRun): Promise<string[]> {
  return (await listFolder(io, run, CURVES_DIR)).map((f) => f.name).filter((name) => CURVE_NAME.test(name)).sort();
}

function decodeCurve(value: unknown, file: string): Curve {
  const c = value as Partial<Curve> | null;
  const numbers = (list: unknown): list is number[] => Array.isArray(list) && list.every((n) => typeof n === 'number');
  if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || !numbers(c.x) || !numbers(c.y) || (c.step !== null && typeof c.step !== 'number')) {
    throw new UpstreamUnavailableError(`The curve file '${file}' is of an unknown shape: it was changed outside the gateway`, { reason: 'BAD_SHAPE' });
  }
  return { name: c.name, step: c.step ?? null, x: c.x, y: c.y };
}

/** The run's curves ordered by name, then step (none first), then the order they were logged. */
export async function curvesOf(io: DetailIo, run: MlflowRun): Promise<Curve[]> {
  const files = await curveFiles(io, run);
  const curves = await Promise.all(files.map(async (file) => decodeCurve(await readJson(io, run, `${CURVES_DIR}/${file}`), file)));
  // Array.prototype.sort is stable: curves equal in name and step stay in file (logging) order.
  return curves.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.step ?? -1) - (b.step ?? -1));
}

/** Stores one curve, refused past MAX_CURVES per run. */
export async function storeCurve(io: DetailIo, run: MlflowRun, curve: LogCurveInput, now: number): Promise<void> {
  if ((await curveFiles(io, run)).length >= MAX_CURVES) {
    throw new BadUserInputError(`An experiment holds at most ${MAX_CURVES} curves`, { field: 'name', max: MAX_CURVES });
  }
  const name = `${String(now).padStart(13, '0')}-${randomBytes(8).toString('hex')}.json`;
  await writeText(io, run, `${CURVES_DIR}/${name}`, JSON.stringify({ name: curve.name, step: curve.step ?? null, x: curve.x, y: curve.y }), true);
}
