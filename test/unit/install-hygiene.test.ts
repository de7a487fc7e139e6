/**
 * `npm install` on the oldest Node.js the gateway supports prints no engine warning: every package the lock
 * file installs accepts that version. Typed client generation, whose loaders want newer Node.js, is installed
 * apart (codegen/package.json), so it never reaches the gateway's own install.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { ROOT } from '../support/gateway';

interface Lock { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> }
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as Lock;

describe('the install', () => {
  const oldest = semver.minVersion(pkg.engines.node);

  it('declares a supported Node.js range with a lowest version', () => {
    expect(oldest?.version).toBe('20.18.1');
  });

  it('installs only packages that accept the oldest supported Node.js', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([name, entry]) => name !== '' && !Array.isArray(entry.engines) && entry.engines?.node !== undefined)
      .filter(([, entry]) => !semver.satisfies(oldest!, (entry.engines as { node: string }).node))
      .map(([name, entry]) => `${name}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  it('keeps the code generator out of the gateway install', () => {
    expect(Object.keys(lock.packages).filter((name) => name.includes('@graphql-codegen/'))).toEqual([]);
    expect(pkg.devDependencies).not.toHaveProperty('@graphql-codegen/cli');
  });
});
