/**
 * The dashboard's own queries fit the default query limits at their largest settings (a page of 1,000 runs,
 * 50 compared runs, charts 1,200 pixels wide), so the product's page never trips the gateway's guard.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { loadConfig } from '../../src/config';
import { buildTrackqlSchema } from '../../src/schema/build';
import { measureOperation } from '../../src/server/plugins/limits';

const VIEWS = path.resolve(__dirname, '../../web/src/views');
const queryOf = (file: string, name = 'QUERY'): string => {
  const match = new RegExp(`const ${name} = \`([\\s\\S]*?)\`;`).exec(readFileSync(path.join(VIEWS, file), 'utf8'));
  if (!match) throw new Error(`no ${name} in ${file}`);
  return match[1];
};

describe('the dashboard queries', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildTrackqlSchema();
  });

  it.each([
    ['Runs.tsx', 'QUERY', { ws: 'w', project: 'p', first: 1000 }],
    ['Compare.tsx', 'QUERY', { keys: Array.from({ length: 50 }, (_, i) => `k${i}`), metric: 'loss', samples: 1200 }],
    ['Run.tsx', 'QUERY', { key: 'k', samples: 1200 }],
    ['RunCharts.tsx', 'ZOOM_QUERY', { key: 'k', name: 'loss', samples: 1200 }],
    ['Projects.tsx', 'QUERY', {}],
    ['Models.tsx', 'QUERY', {}],
  ])('%s %s costs less than the default TRACKQL_MAX_COST', (file, name, variables) => {
    const limits = loadConfig({}).limits;
    const operation = getOperationAST(parse(queryOf(file, name)));
    if (!operation) throw new Error(`no operation in ${file}`);
    const measured = measureOperation(schema, operation, {}, variables);
    expect(measured.cost).toBeLessThanOrEqual(limits.maxCost);
    expect(measured.depth).toBeLessThanOrEqual(limits.maxDepth);
  });
});
