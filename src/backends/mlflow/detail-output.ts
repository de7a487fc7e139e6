/**
 * A run's console output on MLflow, append-only: each `appendOutput` call is one new artifact file
 * `trackql/output/<first offset, 12 digits>-<line count>-<random>.jsonl`, never a rewrite of a growing file.
 * A line is `{"t": text, "s": "O" | "E", "ts": Unix ms | null}`. The folder's listing (one call) gives every
 * file's place and size in lines, so a page by offset downloads only the files it overlaps; a page of one
 * stream reads every file (the listing cannot tell the streams apart).
 *
 * Offsets are assigned from the listing, in file-name order: two appends that raced for the same offset
 * both keep their lines, one after the other, and every reader numbers them the same way (a reader that
 * listed between the two may have seen the later-named file's lines at offsets they then leave).
 */
import { randomBytes } from 'node:crypto';
import { UpstreamUnavailableError } from '../../errors';
import type { OutputLine, OutputLineInput, OutputPageRequest, OutputStream, Page } from '../port';
import { checkPageSize } from '../port';
import { offsetAfter, outputCursor } from '../shared/details-input';
import { listFolder, readText, writeText, type DetailIo } from './detail-artifacts';
import type { MlflowRun } from './decode';
import { DETAILS_FOLDER } from './protocol';

const OUTPUT_DIR = `${DETAILS_FOLDER}/output`;
const CHUNK_NAME = /^(\d{12})-(\d{1,9})-([0-9a-f]{16})\.jsonl$/;

interface Chunk {
  name: string;
  /** Offset of its first line in the whole output. */
  start: number;
  count: number;
}

interface StoredLine {
  t: string;
  s: 'O' | 'E';
  ts: number | null;
}

/** The run's output files in order, each with its first offset; files of other names are not output. */
export async function outputChunks(io: DetailIo, run: MlflowRun): Promise<Chunk[]> {
  const named = (await listFolder(io, run, OUTPUT_DIR)).flatMap((f) => {
    const m = CHUNK_NAME.exec(f.name);
    return m ? [{ name: f.name, count: Number(m[2]) }] : [];
  });
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let start = 0;
  return named.map((c) => {
    const chunk = { ...c, start };
    start += c.count;
    return chunk;
  });
}

/** Appends the lines as one new file after the run's last line. */
export async function appendChunk(io: DetailIo, run: MlflowRun, lines: readonly OutputLineInput[], now: number): Promise<void> {
  const chunks = await outputChunks(io, run);
  const next = chunks.reduce((n, c) => n + c.count, 0);
  const name = `${String(next).padStart(12, '0')}-${lines.length}-${randomBytes(8).toString('hex')}.jsonl`;
  const body = lines.map((l): string => JSON.stringify({ t: l.text, s: l.stream === 'STDERR' ? 'E' : 'O', ts: l.timestamp ?? now } satisfies StoredLine)).join('\n');
  await writeText(io, run, `${OUTPUT_DIR}/${name}`, `${body}\n`, true);
}

async function readChunk(io: DetailIo, run: MlflowRun, chunk: Chunk): Promise<OutputLine[]> {
  const text = (await readText(io, run, `${OUTPUT_DIR}/${chunk.name}`)) ?? '';
  const rows = text.split('\n').filter((row) => row !== '');
  if (rows.length !== chunk.count) {
    throw new UpstreamUnavailableError(`The output file '${chunk.name}' holds ${rows.length} lines, not ${chunk.count}: it was changed outside the gateway`, { reason: 'BAD_SHAPE' });
  }
  return rows.map((row, i) => {
    const line = JSON.parse(row) as Partial<StoredLine>;
    if (typeof line.t !== 'string' || (line.s !== 'O' && line.s !== 'E')) {
      throw new UpstreamUnavailableError(`The output file '${chunk.name}' holds a line of an unknown shape`, { reason: 'BAD_SHAPE' });
    }
    const stream: OutputStream = line.s === 'E' ? 'STDERR' : 'STDOUT';
    return { offset: chunk.start + i, text: line.t, stream, timestamp: typeof line.ts === 'number' ? line.ts : null };
  });
}

const emptyPage = (): Page<OutputLine> => ({ items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 });

/** One page of output; an unknown run (undefined) reads as an empty page. */
export async function outputPage(io: DetailIo, run: MlflowRun | undefined, request: OutputPageRequest): Promise<Page<OutputLine>> {
  const first = checkPageSize(request.first);
  const after = offsetAfter(request.after);
  if (!run) return emptyPage();
  const chunks = await outputChunks(io, run);
  const total = chunks.reduce((n, c) => n + c.count, 0);
  const page = (items: OutputLine[], count: number, hasNextPage: boolean, hasPreviousPage: boolean): Page<OutputLine> => ({
    items, cursors: items.map((l) => outputCursor(l.offset)), hasNextPage, hasPreviousPage, totalCount: count,
  });
  if (request.stream == null) {
    const start = after + 1;
    const end = start + first;
    const needed = chunks.filter((c) => c.start < end && c.start + c.count > start);
    const lines = (await Promise.all(needed.map((c) => readChunk(io, run, c)))).flat();
    const items = lines.filter((l) => l.offset >= start && l.offset < end);
    return page(items, total, start + items.length < total, start > 0 && total > 0);
  }
  const all = (await Promise.all(chunks.map((c) => readChunk(io, run, c)))).flat().filter((l) => l.stream === request.stream);
  const rest = all.filter((l) => l.offset > after);
  const items = rest.slice(0, first);
  return page(items, all.length, rest.length > items.length, rest.length < all.length);
}
