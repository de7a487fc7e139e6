/**
 * The strongest fair baseline for GraphQL overhead: graphql-js `execute` behind `node:http`, with hand-written
 * resolvers over the same SQLite file and a cache of parsed, validated documents (as every production server
 * keeps). Run as its own process: `node bare.js <trackql.db>`; prints `listening <url>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { buildSchema, execute, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';

const SDL = `
type Parameter { name: String! value: String! }
type Experiment { key: String! name: String status: String! startedAt: String endedAt: String archived: Boolean!
  durationMs: Float url: String workspace: String! id: ID! parameters: [Parameter!]! }
type Query { experiment(key: String!): Experiment }`;

interface Row { key: string; name: string | null; status: string; started_at: number | null; ended_at: number | null; archived: number; workspace: string }

const db = new Database(process.argv[2], { readonly: true });
const byKey = db.prepare(`SELECT e.key, e.name, e.status, e.started_at, e.ended_at, e.archived, p.workspace
  FROM experiments e JOIN projects p ON p.id = e.project_id WHERE e.key = ?`);
const params = db.prepare('SELECT name, value FROM parameters WHERE experiment_key = ? ORDER BY name');
const schema = buildSchema(SDL);
const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
const rootValue = {
  experiment: ({ key }: { key: string }) => {
    const r = byKey.get(key) as Row | undefined;
    if (!r) return null;
    return {
      key: r.key, name: r.name, status: r.status, startedAt: iso(r.started_at), endedAt: iso(r.ended_at), archived: r.archived === 1,
      durationMs: r.started_at == null ? null : (r.ended_at ?? Date.now()) - r.started_at, url: null, workspace: r.workspace,
      id: Buffer.from(JSON.stringify(['Experiment', r.key])).toString('base64url'),
      parameters: () => params.all(r.key),
    };
  },
};

/** Parsed and validated documents by query text (bounded: a benchmark sends one). */
const documents = new Map<string, { document: DocumentNode } | { errors: readonly GraphQLError[] }>();
function prepared(query: string) {
  let entry = documents.get(query);
  if (!entry) {
    const document = parse(query);
    const errors = validate(schema, document);
    entry = errors.length > 0 ? { errors } : { document };
    if (documents.size < 1000) documents.set(query, entry);
  }
  return entry;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    const entry = prepared(body.query);
    const result = 'errors' in entry ? { errors: entry.errors } : execute({ schema, document: entry.document, rootValue, variableValues: body.variables });
    void Promise.resolve(result).then((r) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r));
    });
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
