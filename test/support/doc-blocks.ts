/**
 * The code blocks of the Markdown pages, as the docs test runs them. A block is run by its language:
 * `sh` (bash, one session per page), `graphql` (each operation against the gateway), `python` (one session per
 * page, the client on PYTHONPATH) and `ts` (one module per page, type-checked and run). A block that cannot run
 * carries a visible line just before it, `*Not run by the docs test: <why>.*`, which the test counts and
 * reports. An invisible `<!-- docs-test: expect-error CODE -->` says the block shows that error on purpose.
 * Fences without a language (diagrams) and `text` fences are prose, not code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Language = 'sh' | 'graphql' | 'python' | 'ts';

export interface CodeBlock {
  page: string; // relative to the project root
  line: number; // of the opening fence, 1-based
  language: Language;
  code: string;
  skip: string | null;
  expectError: string | null;
}

export interface Page {
  page: string;
  blocks: CodeBlock[];
  textBlocks: number;
}

const LANGUAGES: Record<string, Language> = { sh: 'sh', bash: 'sh', shell: 'sh', graphql: 'graphql', python: 'python', ts: 'ts', typescript: 'ts' };
export const SKIP_MARKER = /^\*Not run by the docs test: (.+)\*$/;
const EXPECT_ERROR = /^<!-- docs-test: expect-error ([A-Z_]+) -->$/;

/** README.md and every page of docs/. */
export function docPages(root: string): string[] {
  const docs = readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export function parsePage(root: string, page: string): Page {
  const lines = readFileSync(path.join(root, page), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let textBlocks = 0;
  for (let i = 0; i < lines.length; i += 1) {
    // A fence may be indented (inside a list item): its lines lose that indent.
    const open = /^( *)```\s*([\w-]*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1];
    const end = lines.findIndex((l, j) => j > i && l.startsWith(indent) && /^```\s*$/.test(l.slice(indent.length)));
    if (end === -1) throw new Error(`${page}:${i + 1}: code fence never closed`);
    const info = open[2];
    const code = lines.slice(i + 1, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n') + '\n';
    if (info === '' || info === 'text') {
      textBlocks += 1;
    } else {
      const language = LANGUAGES[info];
      if (!language) throw new Error(`${page}:${i + 1}: the docs test cannot run \`${info}\` blocks: use sh, graphql, python, ts or text`);
      const before = markersBefore(lines, i);
      blocks.push({
        page, line: i + 1, language, code,
        skip: before.map((l) => SKIP_MARKER.exec(l)?.[1]).find((m) => m !== undefined) ?? null,
        expectError: before.map((l) => EXPECT_ERROR.exec(l)?.[1]).find((m) => m !== undefined) ?? null,
      });
    }
    i = end;
  }
  return { page, blocks, textBlocks };
}

/** The two non-blank lines before a fence, where its markers live. */
function markersBefore(lines: string[], fence: number): string[] {
  const found: string[] = [];
  for (let j = fence - 1; j >= 0 && found.length < 2; j -= 1) {
    const line = lines[j].trim();
    if (line === '') continue;
    if (!SKIP_MARKER.test(line) && !EXPECT_ERROR.test(line)) break;
    found.push(line);
  }
  return found;
}

/** The docs speak of the default address; the test's gateway listens elsewhere. */
export function retarget(code: string, host: string): string {
  return code.replace(/(127\.0\.0\.1|localhost):4000/g, host);
}

/** Splits a session's output at the markers the runner printed before each block. */
export function outputsByBlock(output: string, count: number): string[] {
  const parts: string[] = Array.from({ length: count }, () => '');
  let current = -1;
  for (const line of output.split('\n')) {
    const marker = /^@@docs-block (\d+)@@$/.exec(line);
    if (marker) current = Number(marker[1]);
    else if (current >= 0) parts[current] += `${line}\n`;
  }
  return parts;
}

/** The index of the last block whose marker appears in the output: the block that was running. */
export function lastStarted(output: string): number {
  const all = [...output.matchAll(/^@@docs-block (\d+)@@$/gm)];
  return all.length ? Number(all[all.length - 1][1]) : 0;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[`*_]/g, '').replace(/[^\p{L}\p{N} -]/gu, '').replace(/ /g, '-');
}

/** Relative links of a page (outside code) that name a missing file or a missing heading. */
export function brokenLinks(root: string, page: string): string[] {
  const text = readFileSync(path.join(root, page), 'utf8').replace(/^( *)```[\s\S]*?^\1```/gm, '');
  const anchors = (file: string) => new Set(readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '')
    .split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => anchorOf(l.replace(/^#+ /, ''))));
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
    const [file, anchor] = target.split('#');
    const resolved = file ? path.join(root, path.dirname(page), file) : path.join(root, page);
    if (!existsSync(resolved)) broken.push(`${page}: ${target} (no such file)`);
    else if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
  }
  return broken;
}
