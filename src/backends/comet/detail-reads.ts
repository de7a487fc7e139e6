/**
 * Run-detail reads on Comet. Comet has no multi-experiment read of any of them (comet-run-details.md), so
 * each part of each run is one call, all sent at once through the per-key limiter, each answer cached per
 * run: N runs cost N calls per part asked, with a flat depth, and a warm cache costs nothing.
 */
import type { Curve, DetailPart, OutputLine, OutputPageRequest, Page, RunDetails } from '../port';
import { BadUserInputError } from '../../errors';
import { DETAIL_PARTS } from '../port';
import { offsetAfter, outputCursor } from '../shared/details-input';
import { orNull, type CometApi } from './api';
import { decodeCurve, decodeGit, decodeSystemDetails, decodeText, splitOutput } from './decode-details';
import { Route } from './protocol';

type ReadPart = Exclude<DetailPart, 'dependencies'>;

/** How each part is read: its route and decoder. */
const PARTS: Readonly<Record<ReadPart, { route: (typeof Route)[keyof typeof Route]; decode: (json: unknown) => unknown }>> = {
  code: { route: Route.experimentCode, decode: (j) => decodeText(j, 'code', Route.experimentCode) },
  html: { route: Route.experimentHtml, decode: (j) => decodeText(j, 'html', Route.experimentHtml) },
  modelGraph: { route: Route.experimentGraph, decode: (j) => decodeText(j, 'graph', Route.experimentGraph) },
  systemDetails: { route: Route.systemDetails, decode: decodeSystemDetails },
  git: { route: Route.gitMetadata, decode: decodeGit },
};

/** The cache entry of one part of one run (cleared by the writes in details.ts). */
export const partCacheKey = (part: DetailPart | 'output', key: string): string => `detail:${part}:${key}`;

const MISSING = Symbol('missing');

/** One part of one run: its value, or MISSING when Comet says the run does not exist. */
async function readPart(api: CometApi, part: ReadPart, key: string): Promise<unknown> {
  const { route, decode } = PARTS[part];
  const cached = await api.cache.getOrLoad(partCacheKey(part, key), async () => {
    const json = await orNull(api.get(route, { experimentKey: key }));
    return json === null ? { missing: true } : { value: decode(json) };
  });
  return 'missing' in cached ? MISSING : cached.value;
}

export async function getDetails(api: CometApi, keys: readonly string[], parts: readonly DetailPart[] = DETAIL_PARTS): Promise<(RunDetails | null)[]> {
  const wanted = parts.filter((p): p is ReadPart => p !== 'dependencies');
  const distinct = [...new Set(keys)];
  const rows = new Map(await Promise.all(distinct.map(async (key) => {
    const values = await Promise.all(wanted.map((part) => readPart(api, part, key)));
    if (values.includes(MISSING)) return [key, null] as const;
    const got = Object.fromEntries(wanted.map((part, i) => [part, values[i]])) as Partial<RunDetails>;
    const details: RunDetails = {
      code: got.code ?? null, systemDetails: got.systemDetails ?? null, git: got.git ?? null, html: got.html ?? null,
      // Comet has no read of dependencies (capabilities().details.dependencies is false).
      modelGraph: got.modelGraph ?? null, dependencies: null,
    };
    return [key, details] as const;
  })));
  return keys.map((key) => rows.get(key) ?? null);
}

/** The run's output split into lines, cached; null when the run does not exist. */
export async function outputLines(api: CometApi, key: string): Promise<string[] | null> {
  return api.cache.getOrLoad(partCacheKey('output', key), async () => {
    const json = await orNull(api.get(Route.experimentOutput, { experimentKey: key }));
    return json === null ? null : splitOutput(decodeText(json, 'output', Route.experimentOutput));
  });
}

/** Pages of output. Comet answers one string without streams or times: lines read back as STDOUT, untimed. */
export async function getOutput(api: CometApi, requests: readonly OutputPageRequest[]): Promise<(Page<OutputLine> | Error)[]> {
  return Promise.all(requests.map(async (request): Promise<Page<OutputLine> | Error> => {
    if (request.stream != null) {
      return new BadUserInputError('Comet keeps output as one text without streams: output(stream:) is not supported (capabilities.details.outputStreams is false)', { reason: 'UNSUPPORTED', field: 'stream' });
    }
    try {
      const start = offsetAfter(request.after) + 1;
      const lines = (await outputLines(api, request.experimentKey)) ?? [];
      const items = lines.slice(start, start + request.first).map((text, i) => ({ offset: start + i, text, stream: 'STDOUT' as const, timestamp: null }));
      return {
        items, cursors: items.map((l) => outputCursor(l.offset)), hasNextPage: start + items.length < lines.length,
        hasPreviousPage: start > 0 && lines.length > 0, totalCount: lines.length,
      };
    } catch (error) {
      return error as Error;
    }
  }));
}

/** Curves are assets of type `curve` whose bytes are JSON `{name, x, y}`; the step comes from the listing. */
export async function getCurves(api: CometApi, keys: readonly string[]): Promise<Curve[][]> {
  const distinct = [...new Set(keys)];
  const byKey = new Map(await Promise.all(distinct.map(async (key) => {
    const assets = (await api.assets(key)).filter((a) => a.type === 'curve');
    const curves = await Promise.all(assets.map(async (asset) => {
      const body = await api.cache.getOrLoad(`curve:${key}:${asset.assetId}`, async () => {
        const stream = await api.http.download(api.session, { route: Route.getAsset, query: { experimentKey: key, assetId: asset.assetId }, idempotent: true });
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
        return decodeCurve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, `curve ${asset.assetId}`);
      });
      return { name: body.name ?? asset.fileName, step: asset.step, x: body.x, y: body.y, createdAt: asset.createdAt };
    }));
    curves.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.step ?? -1) - (b.step ?? -1) || a.createdAt - b.createdAt);
    return [key, curves.map(({ createdAt: _t, ...c }) => c)] as const;
  })));
  return keys.map((key) => [...(byKey.get(key) ?? [])]);
}
