#!/usr/bin/env node
/**
 * The `trackql` command: `trackql` (or `trackql serve`) starts the gateway; `trackql demo` fills the data dir
 * with demo data first. Configuration comes from the environment (see the README).
 */
import './production-default';
import 'reflect-metadata';
import { runKeysCommand } from './auth/keys-cli';
import { ConfigError, loadConfig, type Config } from './config';
import { seedDemo } from './demo';
import { startTelemetry } from './observability/otel';
import { createLogger } from './observability/logger';

const USAGE = `usage: trackql [serve|demo|keys]
  serve   start the gateway (default)
  demo    fill the data dir with demo data, then serve
  keys    create, list and revoke API keys of the embedded store (trackql keys --help)`;

async function main(argv: readonly string[]): Promise<void> {
  const command = argv[0] ?? 'serve';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'keys') {
    process.exitCode = runKeysCommand(argv.slice(1), process.env, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
    return;
  }
  if (command !== 'serve' && command !== 'demo') {
    process.stderr.write(`trackql: unknown command '${command}'\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`trackql: invalid configuration: ${err.message}\n`);
      process.exitCode = 78; // EX_CONFIG
      return;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // OpenTelemetry (when configured) starts before the server's modules load, so that its instrumentations
  // see node:http and undici being loaded: hence these two requires here rather than imports at the top.
  const telemetry = startTelemetry(config.otelExport, { logger });
  const { createBackend, startGateway } = require('./server/app') as typeof import('./server/app');
  const { GatewayMetrics, cometObserver } = require('./observability') as typeof import('./observability');
  const metrics = new GatewayMetrics();
  // Demo data goes in before the gateway listens, so the first request already sees it.
  const backend = await createBackend(config, cometObserver(metrics, { propagateTrace: !telemetry?.instrumented }), logger);
  const seeded = command === 'demo' || config.demo ? await seedDemo(backend) : null;
  const gateway = await startGateway(config, { backend, metrics, logger });
  if (seeded !== null) gateway.logger.notice(seeded ? 'demo data written' : 'demo data skipped: the store already has data');
  const shutdown = (signal: string) => {
    gateway.logger.notice('signal received', { signal });
    gateway.stop().then(() => telemetry?.shutdown()).then(
      () => process.exit(0),
      (err: unknown) => {
        gateway.logger.error('shutdown failed', { error: err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`trackql: ${err instanceof Error ? err.message : String(err)}\n`);
  // A configuration refused at start (an open store beyond loopback, src/auth/startup.ts) is EX_CONFIG too.
  process.exit(err instanceof ConfigError ? 78 : 1);
});
