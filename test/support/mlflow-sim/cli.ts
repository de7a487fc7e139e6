/**
 * Standalone simulator, after `tsc` (e.g. `node dist/test/support/mlflow-sim/cli.js --port 5000`).
 *
 *   --port N           (env MLFLOW_SIM_PORT, default 0 = any free port)
 *   --latency MS       (env MLFLOW_SIM_LATENCY_MS, default 0) delay of every answer
 *   --basic USER:PASS  (env MLFLOW_SIM_BASIC) require HTTP Basic credentials
 *   --bearer TOKEN     (env MLFLOW_SIM_BEARER) require a Bearer token (with --basic, either is accepted)
 *
 * Prints one JSON line `{"url", "apiUrl"}` on stdout once listening; stops on SIGINT/SIGTERM.
 */
import { startMlflowSim, type AuthOptions } from './index';

export interface CliOptions {
  port: number;
  latencyMs: number;
  auth: AuthOptions | undefined;
}

const FLAGS = {
  '--port': 'MLFLOW_SIM_PORT',
  '--latency': 'MLFLOW_SIM_LATENCY_MS',
  '--basic': 'MLFLOW_SIM_BASIC',
  '--bearer': 'MLFLOW_SIM_BEARER',
} as const;
type Flag = keyof typeof FLAGS;
const isFlag = (s: string): s is Flag => s in FLAGS;

function wholeNumber(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new Error(`${flag} must be a whole number, got '${raw}'`);
  return Number(raw);
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const raw = new Map<Flag, string>();
  for (const [flag, name] of Object.entries(FLAGS) as [Flag, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') raw.set(flag, value);
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (!isFlag(flag)) throw new Error(`unknown option '${argv[i]}'; expected ${Object.keys(FLAGS).join(', ')}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    raw.set(flag, value);
  }
  const basic = raw.get('--basic');
  const bearer = raw.get('--bearer');
  let auth: AuthOptions | undefined;
  if (basic !== undefined || bearer !== undefined) {
    const colon = basic?.indexOf(':') ?? -1;
    if (basic !== undefined && colon <= 0) throw new Error(`--basic must be USER:PASSWORD, got '${basic}'`);
    auth = {
      basic: basic === undefined ? [] : [{ username: basic.slice(0, colon), password: basic.slice(colon + 1) }],
      bearer: bearer === undefined ? [] : [bearer],
    };
  }
  const port = raw.get('--port');
  const latency = raw.get('--latency');
  return {
    port: port === undefined ? 0 : wholeNumber('--port', port),
    latencyMs: latency === undefined ? 0 : wholeNumber('--latency', latency),
    auth,
  };
}

async function main(): Promise<void> {
  const options = parseCli(process.argv.slice(2), process.env);
  const sim = await startMlflowSim(options);
  process.stdout.write(`${JSON.stringify({ url: sim.url, apiUrl: sim.apiUrl })}\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`mlflow-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
