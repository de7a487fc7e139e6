/**
 * Standalone simulator for benchmarks, after `tsc` (e.g. `node dist/test/support/comet-sim/cli.js --port 5050`).
 *
 *   --port N              (env COMET_SIM_PORT, default 0 = any free port)
 *   --latency MS          (env COMET_SIM_LATENCY_MS, default 0) delay of every response
 *   --keys a,b            (env COMET_SIM_KEYS, default the sim's default key) accepted API keys
 *   --seed-experiments N  (env COMET_SIM_SEED_EXPERIMENTS, default 0) experiments seeded in project
 *                         "bench" of the first key's workspace, each with params, tags and 3 metrics × 100 steps
 *
 * Prints one JSON line `{"url", "keys": [{"apiKey", "workspace"}], "experimentKeys": n}` on stdout once
 * listening; stops on SIGINT/SIGTERM.
 */
import { DEFAULT_API_KEY, startCometSim, type SeedInput } from './index';

interface CliOptions {
  port: number;
  latencyMs: number;
  keys: string[];
  seedExperiments: number;
}

const FLAGS: Record<string, { env: string; key: keyof CliOptions }> = {
  '--port': { env: 'COMET_SIM_PORT', key: 'port' },
  '--latency': { env: 'COMET_SIM_LATENCY_MS', key: 'latencyMs' },
  '--keys': { env: 'COMET_SIM_KEYS', key: 'keys' },
  '--seed-experiments': { env: 'COMET_SIM_SEED_EXPERIMENTS', key: 'seedExperiments' },
};

function wholeNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new Error(`${flag} must be a whole number, got '${raw}'`);
  return n;
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const raw = new Map<keyof CliOptions, [string, string]>();
  for (const { env: name, key } of Object.values(FLAGS)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw.set(key, [name, value]);
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const spec = FLAGS[flag];
    if (spec === undefined) throw new Error(`unknown option '${argv[i]}'; expected ${Object.keys(FLAGS).join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    raw.set(spec.key, [flag, value]);
  }
  const get = (key: keyof CliOptions) => raw.get(key);
  const port = get('port');
  const latency = get('latencyMs');
  const keys = get('keys');
  const seed = get('seedExperiments');
  return {
    port: port === undefined ? 0 : wholeNumber(...port),
    latencyMs: latency === undefined ? 0 : wholeNumber(...latency),
    keys: keys === undefined ? [DEFAULT_API_KEY] : keys[1].split(',').map((k) => k.trim()).filter((k) => k !== ''),
    seedExperiments: seed === undefined ? 0 : wholeNumber(...seed),
  };
}

/** N experiments with deterministic data: params lr/batch, a tag each, loss/acc/lr metrics over 100 steps. */
export function benchSeed(workspace: string, n: number): SeedInput {
  const t0 = Date.UTC(2024, 0, 1);
  return {
    experiments: Array.from({ length: n }, (_, i) => ({
      workspace,
      project: 'bench',
      name: `run-${i}`,
      startTimeMillis: t0 + i * 60_000,
      endTimeMillis: t0 + i * 60_000 + 100 * 100,
      parameters: { lr: 0.001 * (1 + (i % 10)), batch: 32 << (i % 3), optimizer: i % 2 === 0 ? 'adam' : 'sgd' },
      tags: [i % 2 === 0 ? 'even' : 'odd', `group-${i % 5}`],
      others: { seed: i },
      metrics: Array.from({ length: 100 }, (_, step) => [
        { metricName: 'loss', metricValue: 1 / (1 + step + i), step, timestamp: t0 + i * 60_000 + step * 100 },
        { metricName: 'acc', metricValue: 1 - 1 / (2 + step), step, timestamp: t0 + i * 60_000 + step * 100 },
        { metricName: 'lr', metricValue: 0.001, step, timestamp: t0 + i * 60_000 + step * 100 },
      ]).flat(),
    })),
  };
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2), process.env);
  if (options.keys.length === 0) throw new Error('--keys must name at least one key');
  const sim = await startCometSim({ port: options.port, latencyMs: options.latencyMs, apiKeys: options.keys });
  const workspace = sim.workspaceOf(options.keys[0]);
  const seeded = sim.seed(benchSeed(workspace, options.seedExperiments));
  process.stdout.write(`${JSON.stringify({
    url: sim.url,
    keys: options.keys.map((apiKey) => ({ apiKey, workspace: sim.workspaceOf(apiKey) })),
    experimentKeys: seeded.experimentKeys.length,
  })}\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`comet-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
