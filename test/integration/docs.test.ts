/**
 * Every code block of README.md and docs/ runs, so the docs cannot rot (rules in test/support/doc-blocks.ts).
 * One gateway with the demo data serves them all; each page's shell, Python and TypeScript blocks run as one
 * session, top to bottom, as a reader would paste them. Blocks marked as not run are counted and reported.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import ts from 'typescript';
import { brokenLinks, docPages, lastStarted, outputsByBlock, parsePage, retarget, type CodeBlock, type Page } from '../support/doc-blocks';
import { ROOT, gql, gqlOk, startChildGateway, tempDir, type ChildGateway } from '../support/gateway';
import { liveClient, record } from '../support/live';
import { hasTool, itWith } from '../support/tools';

const pages: Page[] = docPages(ROOT).map((page) => parsePage(ROOT, page));
const TS_DIR = path.join(ROOT, 'dist', 'docs-blocks');

let gw: ChildGateway;
let host: string;
let scratch: string;
let demoKey: string;

beforeAll(async () => {
  gw = await startChildGateway({ TRACKQL_LOG_LEVEL: 'notice' }, ['demo']);
  host = new URL(gw.url).host;
  const data = await gqlOk(gw.url, '{ project(workspace: "demo", name: "image-classification") { experiments(first: 1, filter: { tag: "best" }) { nodes { key } } } }');
  demoKey = data.project.experiments.nodes[0].key;
  // Holds each session's working folder (see workdir) and the key store of the API-key examples.
  scratch = tempDir('trackql-docs-');
  rmSync(TS_DIR, { recursive: true, force: true });
  mkdirSync(TS_DIR, { recursive: true });
  for (const page of pages) {
    const blocks = tsBlocks(page);
    if (blocks.length) writeFileSync(tsFile(page), tsModule(blocks));
  }
  startSessions();
}, 60_000);

afterAll(async () => {
  await gw?.dispose();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  rmSync(TS_DIR, { recursive: true, force: true });
  const all = pages.flatMap((p) => p.blocks);
  const skipped = all.filter((b) => b.skip);
  const text = pages.reduce((n, p) => n + p.textBlocks, 0);
  process.stdout.write(`docs: ${all.length - skipped.length} code blocks run, ${skipped.length} marked not run, ${text} diagrams left as text\n`);
  for (const b of skipped) process.stdout.write(`  not run: ${b.page}:${b.line} (${b.language}): ${b.skip}\n`);
});

const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? scratch,
  // The API-key examples write their keys here, not into the store the other examples use.
  TRACKQL_DATA_DIR: path.join(scratch, 'key-store'),
  PYTHONPATH: path.join(ROOT, 'clients', 'python'),
  PYTHONDONTWRITEBYTECODE: '1',
});

/** Fails naming the block that broke, with what it printed. */
function failAt(block: CodeBlock, why: string, output: string): never {
  throw new Error(`${block.page}:${block.line} (${block.language}) ${why}:\n${output.slice(-4000)}`);
}

/** Runs a page's blocks of one language as one session and checks each block's output. */
function checkSession(blocks: CodeBlock[], status: number | null, output: string): void {
  if (status !== 0) failAt(blocks[lastStarted(output)], `exited with ${status}`, output);
  outputsByBlock(output, blocks.length).forEach((out, i) => {
    const block = blocks[i];
    if (block.expectError) {
      if (!new RegExp(`"code": ?"${block.expectError}"`).test(out)) failAt(block, `should show ${block.expectError}`, out);
    } else if (/"errors": ?\[/.test(out)) {
      failAt(block, 'answered with errors', out);
    }
  });
}

interface Finished { status: number | null; output: string }

/**
 * A session's own working folder. The pages' examples write files (`weights.bin`) that a session of another
 * language, running at the same time, would otherwise rewrite while this one uploads it. The folder holds the
 * project's package.json, dist and node_modules, so `npx trackql` finds the project.
 */
function workdir(session: string): string {
  const dir = path.join(scratch, session.replace(/[^\w.-]/g, '_'));
  mkdirSync(dir);
  for (const entry of ['package.json', 'dist', 'node_modules']) symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  return dir;
}

/**
 * Runs a program without blocking the test's event loop (its HTTP connections stay serviced meanwhile). At the
 * deadline its whole process group is killed: a program it started (curl) must not keep the output open.
 */
function run(session: string, command: string, args: string[]): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: workdir(session), env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 50_000);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

const shellScript = (blocks: CodeBlock[]) =>
  ['set -eo pipefail', 'exec 2>&1', ...blocks.map((b, i) => `printf '\\n@@docs-block ${i}@@\\n'\n${retarget(b.code, host)}`)].join('\n');
const pythonScript = (blocks: CodeBlock[]) =>
  blocks.map((b, i) => `print("@@docs-block ${i}@@", flush=True)\n${retarget(b.code, host)}`).join('\n');

/** Type-checks the pages' TypeScript modules as one program (strict): @types/node is loaded once. */
function typeCheck(files: string[]): void {
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'], skipLibCheck: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(diagnostics).toEqual([]);
}

const tsBlocks = (page: Page) => page.blocks.filter((b) => !b.skip && b.language === 'ts');
const tsFile = (page: Page) => path.join(TS_DIR, `${page.page.replace(/[/.]/g, '_')}.mts`);

function tsModule(blocks: CodeBlock[]): string {
  return blocks.map((b, i) => `console.log('@@docs-block ${i}@@');\n${retarget(b.code, host)}`).join('\n');
}

function runTs(session: string, file: string, blocks: CodeBlock[]): Promise<Finished> {
  const js = ts.transpileModule(tsModule(blocks), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mjs = file.replace(/\.mts$/, '.mjs');
  writeFileSync(mjs, js);
  return run(session, process.execPath, [mjs]);
}

/**
 * Every page's sessions start at once, when the gateway is up (their names do not collide: each page and
 * language logs its own runs); each test then waits for its own. Run one after the other they take minutes.
 */
const sessions = new Map<string, Promise<Finished>>();
function startSessions(): void {
  for (const page of pages) {
    const shell = page.blocks.filter((b) => !b.skip && b.language === 'sh');
    const python = page.blocks.filter((b) => !b.skip && b.language === 'python');
    /** One name per session: the key checkFinished looks it up by, and its working folder. */
    const start = (language: string, launch: (session: string) => Promise<Finished>) => {
      const session = `${page.page}:${language}`;
      sessions.set(session, launch(session));
    };
    if (shell.length && hasTool('jq')) start('sh', (session) => run(session, 'bash', ['-c', shellScript(shell)]));
    if (python.length) start('python', (session) => run(session, 'python3', ['-c', pythonScript(python)]));
    if (tsBlocks(page).length) start('ts', (session) => runTs(session, tsFile(page), tsBlocks(page)));
  }
}

async function checkFinished(page: Page, language: string, blocks: CodeBlock[]): Promise<void> {
  const finished = await sessions.get(`${page.page}:${language}`)!;
  checkSession(blocks, finished.status, finished.output);
}

/** Values for the variables graphql blocks declare; a mutation gets an experiment of its own to change. */
async function variablesFor(op: OperationDefinitionNode): Promise<Record<string, unknown>> {
  let key = demoKey;
  if (op.operation === 'mutation') {
    const created = await gqlOk(gw.url, 'mutation { createExperiment(input: { workspace: "demo", project: "docs", name: "docs-block" }) { experiment { key } } }');
    key = created.createExperiment.experiment.key;
  }
  const known: Record<string, unknown> = { key, experimentKey: key, workspace: 'demo', project: 'image-classification' };
  const variables: Record<string, unknown> = {};
  for (const def of op.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (!(name in known)) throw new Error(`graphql blocks may use $key, $experimentKey, $workspace and $project, not $${name}`);
    variables[name] = known[name];
  }
  return variables;
}

async function runGraphql(block: CodeBlock): Promise<void> {
  const document = parse(block.code);
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  for (const op of ops) {
    const variables = await variablesFor(op);
    const opName = op.name?.value;
    let errors: unknown[] | undefined;
    if (op.operation === 'subscription') {
      errors = await runSubscription(block.code, opName, variables, op);
    } else {
      const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: block.code, operationName: opName, variables }) });
      errors = ((await res.json()) as { errors?: unknown[] }).errors;
    }
    const out = JSON.stringify({ errors }, null, 1);
    if (block.expectError) {
      if (!out.includes(`"${block.expectError}"`)) failAt(block, `operation ${opName ?? ''} should show ${block.expectError}`, out);
    } else if (errors?.length) {
      failAt(block, `operation ${opName ?? ''} answered with errors`, out);
    }
  }
}

/** Subscribes, then makes the event happen: a point of each metric the block names, and a tag change. */
async function runSubscription(query: string, operationName: string | undefined, variables: Record<string, unknown>, op: OperationDefinitionNode): Promise<unknown[] | undefined> {
  const live = liveClient(gw.url);
  try {
    const recording = record(live.client, query, variables);
    const names = [...JSON.stringify(op).matchAll(/"value":"([\w-]+)","block":false/g)].map((m) => m[1]);
    const deadline = Date.now() + 10_000;
    for (let step = 5000; recording.results.length === 0 && Date.now() < deadline; step += 1) {
      const points = (names.length ? names : ['loss']).map((name) => ({ name, value: 0.5, step }));
      await gql(gw.url, 'mutation($k: String!, $p: [MetricPointInput!]) { logMetrics(input: { experimentKey: $k, points: $p }) { accepted } }', { k: variables.key ?? variables.experimentKey ?? demoKey, p: points });
      await gql(gw.url, 'mutation($k: String!, $t: [String!]!) { addTags(input: { experimentKey: $k, tags: $t }) { tags } }', { k: demoKey, t: [`docs-${step}`] });
      await new Promise((r) => setTimeout(r, 100));
    }
    recording.unsubscribe();
    if (recording.results.length === 0) return [{ message: `no event within 10 s (${operationName ?? 'subscription'})` }];
    return recording.results[0].errors as unknown[] | undefined;
  } finally {
    await live.dispose();
  }
}

it('links only to files and headings that exist', () => {
  expect(pages.flatMap((p) => brokenLinks(ROOT, p.page))).toEqual([]);
});

it("type-checks every page's TypeScript blocks (strict), one module per page", () => {
  typeCheck(pages.filter((p) => tsBlocks(p).length > 0).map(tsFile));
}, 60_000);

describe.each(pages.map((p) => [p.page, p] as const))('%s', (_name, page) => {
  const runnable = page.blocks.filter((b) => !b.skip);
  for (const block of page.blocks.filter((b) => b.skip)) {
    it.skip(`${block.page}:${block.line} ${block.language} block, marked not run: ${block.skip}`, () => undefined);
  }
  for (const block of runnable.filter((b) => b.language === 'graphql')) {
    it(`runs the graphql block at line ${block.line}`, () => runGraphql(block), 30_000);
  }
  const shell = runnable.filter((b) => b.language === 'sh');
  if (shell.length) itWith('jq')(`runs its ${shell.length} shell blocks as one session`, () => checkFinished(page, 'sh', shell), 60_000);
  const python = runnable.filter((b) => b.language === 'python');
  if (python.length) it(`runs its ${python.length} Python blocks as one session`, () => checkFinished(page, 'python', python), 60_000);
  const typescript = tsBlocks(page);
  if (typescript.length) it(`runs its ${typescript.length} TypeScript blocks as one module`, () => checkFinished(page, 'ts', typescript), 60_000);
});
