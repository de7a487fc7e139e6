#!/usr/bin/env node
/**
 * The `trackql` command: `trackql` (or `trackql serve`) starts the gateway; `trackql demo` fills the data dir
 * with demo data first. Configuration comes from the environment (see the README).
 */
import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';
import { seedDemo } from './demo';
import { createBackend, startGateway } from './server/app';

const USAGE = `usage: trackql [serve|demo]
  serve   start the gateway (default)
  demo    fill the data dir with demo data, then serve`;

async function main(argv: readonly string[]): Promise<void> {
  const command = argv[0] ?? 'serve';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
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
  // Demo data goes in before the gateway listens, so the first request already sees it.
  const backend = await createBackend(config);
  const seeded = command === 'demo' || config.demo ? await seedDemo(backend) : null;
  const gateway = await startGateway(config, { backend });
  if (seeded !== null) gateway.logger.notice(seeded ? 'demo data written' : 'demo data skipped: the store already has data');
  const shutdown = (signal: string) => {
    gateway.logger.notice('signal received', { signal });
    gateway.stop().then(
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
  process.exit(1);
});
