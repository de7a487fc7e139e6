/**
 * Programs some tests need beyond the npm packages of the gateway, and how to get each. A test that needs a
 * missing one is skipped (counted as skipped, never passed), and the run's closing lines say once how to get
 * it (summary-reporter.js). Plain CommonJS: the reporter loads it outside jest's transform.
 */
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

const TOOLS = {
  'redis-server': {
    present: () => spawnSync('redis-server', ['--version']).status === 0,
    hint: 'apt-get install -y redis-server',
  },
  // The docs' shell examples build their JSON bodies with jq (test/integration/docs.test.ts).
  jq: {
    present: () => spawnSync('jq', ['--version']).status === 0,
    hint: 'apt-get install -y jq',
  },
  chromium: {
    present: () => existsSync('/usr/bin/chromium'),
    hint: 'apt-get install -y chromium',
  },
  // Typed client generation is installed apart from the gateway (codegen/package.json).
  codegen: {
    present: () => existsSync(path.join(ROOT, 'codegen', 'node_modules', '@graphql-codegen', 'cli', 'package.json')),
    hint: 'npm run codegen:install',
  },
};

const known = new Map();

/** Whether the named tool is installed (checked once per process). */
function hasTool(name) {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`unknown tool '${name}': one of ${Object.keys(TOOLS).join(', ')}`);
  if (!known.has(name)) known.set(name, tool.present());
  return known.get(name);
}

/** `describe` when the tool is installed, `describe.skip` otherwise. */
function describeWith(name) {
  return hasTool(name) ? describe : describe.skip;
}

/** `it` when the tool is installed, `it.skip` otherwise. */
function itWith(name) {
  return hasTool(name) ? it : it.skip;
}

/** The missing tools with their install hints, e.g. `redis-server (apt-get install -y redis-server)`. */
function missingTools() {
  return Object.keys(TOOLS).filter((name) => !hasTool(name)).map((name) => `${name} (${TOOLS[name].hint})`);
}

/** Where the code generator's CLI lives once installed. */
const CODEGEN_BIN = path.join(ROOT, 'codegen', 'node_modules', '@graphql-codegen', 'cli', 'cjs', 'bin.js');

module.exports = { hasTool, describeWith, itWith, missingTools, CODEGEN_BIN };
