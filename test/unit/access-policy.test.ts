/**
 * The access policy table: every port method has a row (checked by the compiler, and here against the
 * methods the backends really have), and every non-custom row, applied to every role, refuses or hides
 * exactly as its kind says.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import ts from 'typescript';
import { Authenticator } from '../../src/auth/authenticator';
import { openKeyStore, type KeyStore } from '../../src/auth/key-store';
import { POLICY } from '../../src/auth/policy';
import type { Role } from '../../src/auth/roles';
import type { Rule } from '../../src/auth/rules';
import { scopeBackend } from '../../src/auth/scoped-backend';
import { DOMAIN_NAMES, type Asset, type Backend, type Caller, type DomainName, type Domains, type Page } from '../../src/backends/port';
import { createSqliteBackend } from '../../src/backends/sqlite';
import { TrackqlError } from '../../src/errors';
import { ANONYMOUS, callerFromAuthorization } from '../../src/server/identity';
import { cometBackend, startSim, tempDataDir } from '../support/comet-backend';
import { tempDir } from '../support/gateway';
import { mlflowBackend } from '../support/mlflow-backend';
import { startMlflowSim } from '../support/mlflow-sim';

const methodsOf = (port: object): string[] =>
  Object.getOwnPropertyNames(Object.getPrototypeOf(port)).filter((name) => name !== 'constructor').sort();

describe('the policy table', () => {
  it('has a row for each method of each domain of every backend, and no row for a method they lack', async () => {
    const dir = tempDir('trackql-policy-');
    const sim = await startSim(['ws']);
    const cometDir = tempDataDir();
    const mlflowSim = await startMlflowSim();
    const mlflowDir = tempDataDir();
    const backends: Backend[] = [createSqliteBackend({ dataDir: dir }), cometBackend(sim, cometDir), mlflowBackend(mlflowSim, mlflowDir)];
    try {
      for (const backend of backends) {
        for (const domain of DOMAIN_NAMES) expect([domain, methodsOf(backend[domain])]).toEqual([domain, Object.keys(POLICY[domain]).sort()]);
      }
    } finally {
      for (const backend of backends) await backend.close();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(cometDir, { recursive: true, force: true });
      await mlflowSim.stop();
      rmSync(mlflowDir, { recursive: true, force: true });
    }
  });

  it('does not compile when a port method has no row', () => {
    const root = path.resolve(__dirname, '../..');
    const fixture = path.join(root, 'test/unit/policy-without-a-row.ts');
    const source = [
      "import { POLICY, type Policy } from '../../src/auth/policy';",
      'const { log: _dropped, ...metrics } = POLICY.metrics;',
      'export const broken: Policy = { ...POLICY, metrics };',
    ].join('\n');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    const host = ts.createCompilerHost(config!.options);
    const read = host.readFile.bind(host);
    host.readFile = (file) => (path.resolve(file) === fixture ? source : read(file));
    const exists = host.fileExists.bind(host);
    host.fileExists = (file) => path.resolve(file) === fixture || exists(file);
    const program = ts.createProgram({ rootNames: [fixture], options: { ...config!.options, noEmit: true }, host });
    const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName && path.resolve(d.file.fileName) === fixture);
    expect(errors.map((d) => [d.code, ts.flattenDiagnosticMessageText(d.messageText, '\n')])).toEqual([
      [2741, expect.stringContaining("Property 'log' is missing")],
    ]);
  });
});

/** The version registered in `ml` before each row's test, for the monitoring rows. */
const MODEL_VERSION = { workspace: 'ml', modelName: 'reg', version: '1' };

describe('each row, against each role', () => {
  const ROLES: readonly (Role | 'none')[] = ['none', 'read', 'write', 'admin'];
  const RANK = { none: 0, read: 1, write: 2, admin: 3 } as const;
  let dataDir: string;
  let inner: Backend;
  let keys: KeyStore;
  let scoped: Backend;
  let key: string;

  beforeEach(async () => {
    dataDir = tempDir('trackql-policy-');
    inner = createSqliteBackend({ dataDir });
    ({ key } = await inner.experiments.create(ANONYMOUS, { workspace: 'ml', project: 'p', tags: ['t'], parameters: [{ name: 'lr', value: '0.1' }] }));
    await inner.attributes.logOthers(ANONYMOUS, key, [{ key: 'gpu', value: 'a100' }]);
    await inner.metrics.log(ANONYMOUS, key, [{ name: 'loss', value: 1, step: 0 }]);
    await inner.assets.put(ANONYMOUS, { experimentKey: key, fileName: 'w.bin', type: 'model', modelName: 'net', maxBytes: 100 }, Readable.from([Buffer.from('abc')]));
    await inner.registry.register(ANONYMOUS, { experimentKey: key, experimentModelName: 'net', registryName: 'reg', version: '1' });
    await inner.details.appendOutput(ANONYMOUS, key, [{ text: 'started', stream: 'STDOUT' }]);
    await inner.details.logCurve(ANONYMOUS, { experimentKey: key, name: 'pr', x: [0], y: [1] });
    await inner.monitoring.log(ANONYMOUS, MODEL_VERSION, [{ predictionId: 'p0', timestamp: 0, features: { x: 0 }, prediction: {}, labels: {} }]);
    keys = openKeyStore(dataDir);
    scoped = scopeBackend(inner, new Authenticator(keys, { cacheMs: 0 }), () => keys.close());
  });
  afterEach(async () => {
    await scoped.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Arguments after the caller, aimed at workspace `ml` and its one experiment, for every method with a non-custom row. */
  function argsFor(domain: DomainName, method: string): unknown[] {
    const table: Record<string, unknown[]> = {
      'experiments.end': [{ experimentKey: key, status: 'FINISHED' }],
      'experiments.archive': [key],
      'projects.getWorkspaces': [['ml']],
      'projects.get': [[{ workspace: 'ml', name: 'p' }]],
      'projects.list': ['ml', { first: 10 }],
      'projects.create': [{ workspace: 'ml', name: `new-${Math.random().toString(36).slice(2)}` }],
      'metrics.summaries': [[key]],
      'metrics.histories': [[{ experimentKey: key, name: 'loss', samples: 10 }]],
      'metrics.log': [key, [{ name: 'loss', value: 2, step: 1 }]],
      'attributes.parameters': [[key]],
      'attributes.tags': [[key]],
      'attributes.others': [[key]],
      'attributes.logParameters': [key, [{ name: 'lr', value: '1' }]],
      'attributes.logOthers': [key, [{ key: 'k', value: 'v' }]],
      'attributes.addTags': [key, ['x']],
      'attributes.removeTags': [key, ['t']],
      'assets.list': [[{ experimentKey: key, first: 10 }]],
      'assets.get': [[{ experimentKey: key, assetId: '__asset__' }]],
      'assets.models': [[key]],
      'assets.open': [key, '__asset__'],
      'assets.put': [{ experimentKey: key, fileName: 'x.bin', type: 'asset', maxBytes: 10 }, Readable.from([Buffer.from('x')])],
      'assets.checkUpload': [key],
      'registry.models': [[{ workspace: 'ml', name: 'reg' }]],
      'registry.list': ['ml', { first: 10 }],
      'registry.versions': [[{ workspace: 'ml', name: 'reg' }]],
      'registry.updateVersion': [{ workspace: 'ml', modelName: 'reg', version: '1', stage: 'prod' }],
      'deadLetters.list': [{ first: 10 }],
      'deadLetters.replay': ['1'],
      'deadLetters.discard': ['1'],
      'experiments.update': [{ experimentKey: key, name: 'renamed' }],
      'experiments.restore': [key],
      'projects.update': [{ workspace: 'ml', name: 'p', description: 'd' }],
      'projects.delete': [{ workspace: 'ml', name: `gone-${Math.random().toString(36).slice(2)}` }],
      'assets.delete': [key, '__asset__'],
      'registry.deleteVersion': [{ workspace: 'ml', modelName: 'reg', version: '1' }],
      'details.get': [[key]],
      'details.output': [[{ experimentKey: key, first: 10 }]],
      'details.curves': [[key]],
      'details.projectNotes': [[{ workspace: 'ml', name: 'p' }]],
      'details.projectColumns': [[{ workspace: 'ml', name: 'p' }]],
      'details.update': [{ experimentKey: key, code: 'x = 1' }],
      'details.appendOutput': [key, [{ text: 'hello', stream: 'STDOUT' }]],
      'details.logCurve': [{ experimentKey: key, name: 'roc', x: [0, 1], y: [0, 1] }],
      'details.setProjectNotes': [{ workspace: 'ml', name: 'p' }, 'notes'],
      'monitoring.log': [MODEL_VERSION, [{ predictionId: 'p1', timestamp: 1, features: { x: 1 }, prediction: {}, labels: {} }]],
      'monitoring.logLabels': [MODEL_VERSION, [{ predictionId: 'p1', timestamp: 1, labels: { value: 1 } }]],
      'monitoring.logReference': [MODEL_VERSION, [{ predictionId: 'r1', timestamp: 1, features: { x: 1 }, prediction: {}, labels: {} }]],
      'monitoring.predictions': [[{ ref: MODEL_VERSION, first: 10 }]],
      'monitoring.counts': [[{ ref: MODEL_VERSION, from: 0, to: 3_600_000, interval: 'HOUR' }]],
      'monitoring.distributions': [[{ ref: MODEL_VERSION, feature: 'x', source: 'INPUT' }]],
      'monitoring.drift': [[{ ref: MODEL_VERSION, feature: 'x', source: 'INPUT', interval: 'HOUR', algorithm: 'PSI', reference: 'FIRST_WINDOW' }]],
      'monitoring.labelMetrics': [[{ ref: MODEL_VERSION, metric: 'ACCURACY', output: 'value', label: 'value', interval: 'DAY' }]],
      'monitoring.features': [[MODEL_VERSION]],
    };
    const args = table[`${domain}.${method}`];
    if (!args) throw new Error(`no sample arguments for ${domain}.${method}: add them with the row`);
    return args;
  }

  const rows = DOMAIN_NAMES.flatMap((domain) =>
    Object.entries(POLICY[domain] as Record<string, Rule<unknown>>).filter(([, rule]) => rule.kind !== 'custom').map(([method, rule]) => ({ domain, method, rule })));

  it.each(rows.flatMap((row) => ROLES.map((role) => ({ ...row, role, name: `${row.domain}.${row.method} as ${role}` }))))('$name', async ({ domain, method, rule, role }) => {
    // A key with `role` on ml (and a grant elsewhere, so `none` is a real key that sees nothing of ml).
    const grants = role === 'none' ? [{ workspace: 'other', role: 'admin' as const }] : [{ workspace: 'ml', role }];
    const caller: Caller = callerFromAuthorization(keys.create({ grants }).secret);
    let args = argsFor(domain, method);
    if (domain === 'assets' && (method === 'open' || method === 'get' || method === 'delete')) {
      const [page] = await inner.assets.list(ANONYMOUS, [{ experimentKey: key, first: 1 }]);
      const { assetId } = (page as Page<Asset>).items[0];
      args = method === 'get' ? [[{ experimentKey: key, assetId }]] : [key, assetId];
    }
    // A project to delete: an empty one of ml, so every role reaches the rule rather than NOT_FOUND.
    if (domain === 'projects' && method === 'delete') await inner.projects.create(ANONYMOUS, args[0] as { workspace: string; name: string });
    const port = scoped[domain] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const outcome = await port[method](caller, ...args).then((value) => ({ value }), (error: unknown) => ({ error }));
    const opened = (outcome as { value?: { stream?: Readable } }).value?.stream;
    if (opened) for await (const _chunk of opened); // read the bytes before the data dir goes
    const codeOf = (x: unknown) => (x instanceof TrackqlError ? x.code : null);
    const held = RANK[role];
    switch (rule.kind) {
      case 'experiment': {
        if (held >= RANK[rule.role]) expect(outcome).not.toHaveProperty('error');
        else if (role === 'none') {
          if (rule.invisible === 'null') expect(outcome).toEqual({ value: null });
          else expect(codeOf((outcome as { error: unknown }).error)).toBe('NOT_FOUND');
        } else expect(codeOf((outcome as { error: unknown }).error)).toBe('FORBIDDEN');
        break;
      }
      case 'workspace':
        if (held >= RANK[rule.role]) expect(outcome).not.toHaveProperty('error');
        else expect(codeOf((outcome as { error: unknown }).error)).toBe('FORBIDDEN');
        break;
      case 'workspaces': {
        const [slot] = (outcome as { value: unknown[] }).value;
        expect(codeOf(slot)).toBe(role === 'none' ? 'FORBIDDEN' : null);
        break;
      }
      case 'experiments': {
        const [slot] = (outcome as { value: unknown[] }).value;
        const hidden = (rule.hidden as (i: number, ...a: unknown[]) => unknown)(0, ...args);
        if (role === 'none') expect(slot).toEqual(hidden);
        else expect(slot).not.toEqual(hidden);
        break;
      }
      case 'own': {
        // Nothing to guard or hide: every role gets what the store itself answers (it keeps no dead letters).
        const unguarded = inner[domain] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        const direct = await unguarded[method](caller, ...args).then((value) => ({ value }), (error: unknown) => ({ error }));
        expect(outcome).toEqual(direct);
        break;
      }
      default:
        throw new Error(`unexpected rule kind ${rule.kind}`);
    }
  });

  it('covers every domain', () => {
    expect(new Set(rows.map((r) => r.domain))).toEqual(new Set<keyof Domains>(DOMAIN_NAMES));
  });
});
