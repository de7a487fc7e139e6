/**
 * Demo data of production monitoring: a week of predictions of the demo's registered model version, reference
 * data from training, a feature that drifts through the week (`brightness`), one that does not (`contrast`),
 * a categorical one whose mix shifts (`camera`), and labels that arrive two days late for the first five days,
 * so `featureDrift` and `labelMetric` show something at once. Deterministic.
 */
import type { Backend, Caller, ModelVersionRef, PredictionEventInput } from './backends/port';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The week after the demo's model version was registered. */
const WEEK_START = Date.UTC(2026, 0, 19);

/** A deterministic value in [0, 1) from an integer (a hash, so the demo needs no shared random state). */
function unit(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}

/** Roughly normal, mean 0, from three uniforms. */
const noise = (n: number): number => (unit(n) + unit(n + 1_000_003) + unit(n + 2_000_003) - 1.5) * 2;

function event(id: string, n: number, timestamp: number, drift: number): PredictionEventInput {
  const brightness = Math.round((0.5 + 0.08 * noise(n) + 0.25 * drift) * 1000) / 1000;
  const contrast = Math.round((1 + 0.1 * noise(n + 7)) * 1000) / 1000;
  const camera = unit(n + 11) < 0.7 - 0.4 * drift ? 'camera-a' : 'camera-b';
  // The model learned "bright means dog" from training images, which were darker; a few answers are wrong anyway.
  const dog = (brightness > 0.55) !== (unit(n + 13) < 0.08);
  return {
    predictionId: id, timestamp, features: { brightness, contrast, camera },
    prediction: { value: dog ? 'dog' : 'cat', probability: Math.round((0.6 + 0.35 * unit(n + 19)) * 100) / 100 }, labels: {},
  };
}

export async function seedMonitoringDemo(backend: Backend, caller: Caller, ref: ModelVersionRef): Promise<void> {
  const monitoring = backend.capabilities().monitoring;
  if (!monitoring.supported) return;
  if (monitoring.referenceData) {
    const reference = Array.from({ length: 1_000 }, (_, i) => event(`train-${i}`, 10_000_000 + i, WEEK_START - 30 * DAY, 0));
    await backend.monitoring.logReference(caller, ref, reference);
  }
  const events: PredictionEventInput[] = [];
  for (let hour = 0; hour < 7 * 24; hour += 1) {
    // Traffic follows the day: busier in the afternoon (UTC).
    const perHour = 10 + Math.round(15 * Math.max(0, Math.sin(((hour % 24) - 6) / 24 * 2 * Math.PI)));
    for (let i = 0; i < perHour; i += 1) {
      const n = hour * 100 + i;
      events.push(event(`pred-${n}`, n, WEEK_START + hour * HOUR + Math.floor(unit(n + 17) * HOUR), hour / (7 * 24)));
    }
  }
  await backend.monitoring.log(caller, ref, events);
  // The truth comes two days later, for the first five days only: the very bright images, rare in training and
  // common as the week goes on, are overexposed cats, so accuracy falls as brightness drifts.
  const labelled = events.filter((e) => e.timestamp < WEEK_START + 5 * DAY);
  await backend.monitoring.logLabels(caller, ref, labelled.map((e) => {
    const brightness = e.features.brightness as number;
    return { predictionId: e.predictionId, timestamp: e.timestamp + 2 * DAY, labels: { value: brightness > 0.55 && brightness <= 0.65 ? 'dog' : 'cat' } };
  }));
}
