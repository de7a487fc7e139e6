/** Writes schema/schema.graphql from the type-graphql classes (`npm run schema`). */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildTrackqlSchema, printSdl } from '../src/schema/build';

async function main(): Promise<void> {
  const target = path.resolve(__dirname, '..', '..', 'schema', 'schema.graphql');
  writeFileSync(target, printSdl(await buildTrackqlSchema()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
