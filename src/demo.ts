/**
 * Demo data for newcomers: a workspace, two projects, a dozen experiments with realistic training curves,
 * parameters, tags, a parent run with children, an asset, a model and a registered model version.
 * Deterministic (seeded), and only written into an empty store.
 */
import { Readable } from 'node:stream';
import type { Backend, Caller, MetricPointInput } from './backends/port';
import { seedMonitoringDemo } from './demo-monitoring';
import { ANONYMOUS } from './server/identity';
import { seedDemoDetails } from './demo-details';

export const DEMO_WORKSPACE = 'demo';

/** Small deterministic PRNG (mulberry32), so every demo store looks the same. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function curves(lr: number, steps: number, random: () => number, start: number): MetricPointInput[] {
  const points: MetricPointInput[] = [];
  for (let step = 0; step < steps; step += 1) {
    // Larger learning rates converge faster; every run ends well on its way.
    const progress = 1 - Math.exp(-step / ((steps * 0.25) / (0.5 + lr * 10)));
    const noise = (random() - 0.5) * 0.05;
    const timestamp = start + step * 1500;
    const epoch = Math.floor(step / 50);
    points.push({ name: 'loss', value: 2.3 * (1 - progress) + 0.08 + noise, step, epoch, timestamp, context: 'train' });
    points.push({ name: 'accuracy', value: Math.min(0.999, 0.1 + 0.85 * progress + noise / 2), step, epoch, timestamp, context: 'train' });
    if (step % 25 === 0) {
      points.push({ name: 'val_loss', value: 2.3 * (1 - progress * 0.95) + 0.12 + noise, step, epoch, timestamp, context: 'validate' });
    }
    points.push({ name: 'learning_rate', value: lr * 0.5 * (1 + Math.cos((Math.PI * step) / steps)), step, epoch, timestamp, context: null });
  }
  return points;
}

/** Writes the demo data; returns false (and writes nothing) when the store already has workspaces. */
export async function seedDemo(backend: Backend, caller: Caller = ANONYMOUS): Promise<boolean> {
  if ((await backend.projects.listWorkspaces(caller)).length > 0) return false;
  const random = rng(42);
  await backend.projects.create(caller, { workspace: DEMO_WORKSPACE, name: 'image-classification', description: 'ResNet variants on CIFAR-10' });
  await backend.projects.create(caller, { workspace: DEMO_WORKSPACE, name: 'text-sentiment', description: 'Fine-tuned transformers on movie reviews' });
  const day = 24 * 3600 * 1000;
  const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
  const keys: string[] = [];
  const archs = ['resnet18', 'resnet34', 'resnet50'];
  for (let i = 0; i < 12; i += 1) {
    const project = i < 8 ? 'image-classification' : 'text-sentiment';
    const lr = [0.1, 0.03, 0.01, 0.003][i % 4];
    const arch = project === 'text-sentiment' ? 'distilbert' : archs[i % 3];
    const startedAt = t0 + i * day;
    const steps = 300;
    const experiment = await backend.experiments.create(caller, {
      workspace: DEMO_WORKSPACE,
      project,
      name: `${arch}-lr${lr}`,
      tags: [arch, i % 3 === 0 ? 'baseline' : 'sweep', ...(i === 5 ? ['best'] : [])],
      parameters: [
        { name: 'learning_rate', value: String(lr) },
        { name: 'batch_size', value: String([32, 64, 128][i % 3]) },
        { name: 'optimizer', value: i % 2 === 0 ? 'sgd' : 'adam' },
        { name: 'architecture', value: arch },
      ],
      startedAt,
    });
    keys.push(experiment.key);
    await backend.metrics.log(caller, experiment.key, curves(lr, steps, random, startedAt));
    await backend.attributes.logOthers(caller, experiment.key, [{ key: 'gpu', value: 'A100' }, { key: 'dataset_version', value: 'v3' }]);
    const status = i === 7 ? 'FAILED' : i === 11 ? null : 'FINISHED';
    if (status) await backend.experiments.end(caller, { experimentKey: experiment.key, status, endedAt: startedAt + steps * 1500 });
  }
  // A hyperparameter sweep as a parent run with two children.
  const parent = keys[5];
  for (const seed of [1, 2]) {
    const child = await backend.experiments.create(caller, {
      workspace: DEMO_WORKSPACE, project: 'image-classification', name: `resnet50-seed${seed}`, parentKey: parent,
      tags: ['seed-repeat'], parameters: [{ name: 'seed', value: String(seed) }], startedAt: t0 + 6 * day + seed * 3600_000,
    });
    await backend.metrics.log(caller, child.key, curves(0.01, 100, random, t0 + 6 * day));
    await backend.experiments.end(caller, { experimentKey: child.key, status: 'FINISHED', endedAt: t0 + 6 * day + 2 * 3600_000 });
  }
  const weights = Buffer.from(JSON.stringify({ format: 'demo', layers: [64, 128, 256, 512], note: 'placeholder weights' }));
  await backend.assets.put(caller, {
    experimentKey: parent, fileName: 'model/weights.json', type: 'model-element', modelName: 'resnet50-cifar',
    metadata: { framework: 'pytorch' }, maxBytes: 1024 * 1024,
  }, Readable.from([weights]));
  await backend.assets.put(caller, {
    experimentKey: parent, fileName: 'plots/confusion.csv', type: 'asset', maxBytes: 1024 * 1024,
  }, Readable.from([Buffer.from('label,cat,dog\ncat,91,9\ndog,7,93\n')]));
  await backend.registry.register(caller, {
    experimentKey: parent, experimentModelName: 'resnet50-cifar', registryName: 'cifar-classifier', version: '1.0.0',
    description: 'Best ResNet-50 of the January sweep', comment: 'first release', stage: 'production', tags: ['vision'],
  });
  await backend.registry.updateVersion(caller, { workspace: DEMO_WORKSPACE, modelName: 'cifar-classifier', version: '1.0.0', addAliases: ['champion'] });
  await seedDemoDetails(backend, caller, [keys[5], keys[0], keys[8]], ['image-classification', 'text-sentiment'].map((name) => ({ workspace: DEMO_WORKSPACE, name })));
  await seedMonitoringDemo(backend, caller, { workspace: DEMO_WORKSPACE, modelName: 'cifar-classifier', version: '1.0.0' });
  return true;
}
