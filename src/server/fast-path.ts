/**
 * The cached-document fast path (`TRACKQL_FAST_PATH`, on by default). Apollo Server's per-request pipeline
 * (plugin hooks, request context, document store, response assembly) cost more CPU than graphql-js executing a
 * small query (bench/overhead.ts notes). A query document Apollo has already parsed, validated and let through
 * every `didResolveOperation` check is remembered here (`plugin()`, at `executionDidStart`); the next plain
 * JSON POST of the same text and operation name runs directly (compiled by graphql-jit or on graphql-js
 * `execute`, fast-path-executor.ts), with the context, error formatting, log line and metrics Apollo's path
 * would have given it.
 *
 * What depends on the request, not the document, is checked again on every request: the query limits that read
 * variables (a `first: $n` cost), and variable coercion. Whatever this path does not answer exactly as Apollo
 * would goes to Apollo unchanged, before anything executes: GET, batches, `extensions` (persisted queries),
 * non-JSON or unusual Accept headers, non-finite numbers in variables, mutations and subscriptions,
 * introspection, a document never seen, limits exceeded, variables that fail coercion (the executor returns no
 * `data`: no resolver ran, so Apollo runs the request afresh and answers with its own status and codes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestContextExecutionDidStart } from '@apollo/server';
import {
  type DocumentNode, type ExecutionResult, type FragmentDefinitionNode, type GraphQLFormattedError, type GraphQLSchema,
  type OperationDefinitionNode, type ValueNode, GraphQLError, Kind, TypeInfo, visit, visitWithTypeInfo,
} from 'graphql';
import { ErrorCode } from '../errors';
import { LruMap } from '../lru';
import type { Logger } from '../observability/logger';
import type { GraphqlObservation } from '../observability/metrics';
import { type FastPathExecutor, type Runner, prepareRunner } from './fast-path-executor';
import { BOUND_ARGUMENTS, LIST_ESTIMATES, type QueryLimits, checkDocumentSource, checkLimits, measureOperation } from './plugins/limits';

/** Distinct document texts remembered; the least recently used goes first. */
export const FAST_PATH_DOCUMENTS = 500;
/** Texts longer than this are left to Apollo's own document store (they are not the small queries this is for). */
export const FAST_PATH_MAX_TEXT = 16 * 1024;

/** Apollo's media types for a single result (`MEDIA_TYPES` in @apollo/server), by the Accept values answered here. */
const JSON_TYPE = 'application/json; charset=utf-8';
const ACCEPTED: ReadonlyMap<string, string> = new Map([
  ['', JSON_TYPE], ['*/*', JSON_TYPE], ['application/json', JSON_TYPE],
  ['application/graphql-response+json', 'application/graphql-response+json; charset=utf-8'],
]);
/** The only body fields this path reads; any other (`extensions`, `documentId`) sends the request to Apollo. */
const BODY_FIELDS: ReadonlySet<string> = new Set(['query', 'variables', 'operationName']);
const INTROSPECTION = /\b__(schema|type)\b/;

interface CachedDocument {
  document: DocumentNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** By the request's `operationName` (null when the request named none); `run` is made on first use. */
  operations: Map<string | null, { operation: OperationDefinitionNode; run?: Runner }>;
  /** Whether a variable can change the document's measure (plugins/limits.ts); if not, the limits passed for good. */
  limitsReadVariables: boolean;
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export interface FastPathDeps {
  schema: GraphQLSchema;
  executor: FastPathExecutor;
  limits: QueryLimits;
  /** The same `formatError` Apollo is given (plugins/errors.ts). */
  formatError: FormatError;
  logger: Logger;
  observe: (o: GraphqlObservation) => void;
  /** Counts a request answered here (`trackql_graphql_fast_path_requests_total`). */
  served: () => void;
}

/** What the route knows of a request once its body is read and its caller authenticated. */
export interface FastPathRequest<C> {
  req: IncomingMessage;
  res: ServerResponse;
  body: unknown;
  nonFiniteJson: boolean;
  requestId: string;
  keyId: string;
  context: () => C;
}

export class FastPath {
  readonly #documents = new LruMap<string, CachedDocument>(FAST_PATH_DOCUMENTS);
  #open = true;

  constructor(private readonly deps: FastPathDeps) {}

  /** True when `text` is remembered: it passed the text limits (`checkDocumentSource`) when it was learned. */
  knows(text: string): boolean {
    return this.#open && this.#documents.has(text);
  }

  /** From now on every request goes to Apollo (shutdown: Apollo answers requests after its stop itself). */
  close(): void {
    this.#open = false;
  }

  /** Apollo plugin that remembers each query document that reached execution. */
  plugin<T extends object>(): ApolloServerPlugin<T> {
    return {
      requestDidStart: async () => ({
        executionDidStart: async (ctx) => this.#learn(ctx),
      }),
    };
  }

  #learn<T extends object>({ source, document, operation, request }: GraphQLRequestContextExecutionDidStart<T>): void {
    if (!this.#open || !operation || operation.operation !== 'query' || source.length > FAST_PATH_MAX_TEXT || INTROSPECTION.test(source)) return;
    let entry = this.#documents.get(source);
    if (!entry) {
      // A text Apollo got by another way (an APQ hash) never went through the route's text check: check it once.
      try {
        checkDocumentSource(source, this.deps.limits);
      } catch {
        return;
      }
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
      entry = { document, fragments, operations: new Map(), limitsReadVariables: limitsReadVariables(this.deps.schema, document) };
      this.#documents.set(source, entry);
    }
    const name = request.operationName ?? null;
    if (!entry.operations.has(name)) entry.operations.set(name, { operation });
  }

  /** Answers the request and returns true, or returns false having written nothing (Apollo answers it). */
  async serve<C>(r: FastPathRequest<C>): Promise<boolean> {
    if (!this.#open || r.req.method !== 'POST' || r.nonFiniteJson) return false;
    const contentType = r.req.headers['content-type'];
    if (typeof contentType !== 'string' || contentType.split(';', 1)[0].trim().toLowerCase() !== 'application/json') return false;
    const mediaType = ACCEPTED.get(r.req.headers.accept ?? '');
    if (mediaType === undefined) return false;
    const request = plainRequest(r.body);
    if (!request) return false;
    const entry = this.#documents.get(request.query);
    const known = entry?.operations.get(request.operationName);
    if (!entry || !known) return false;
    const { operation } = known;
    if (entry.limitsReadVariables) {
      try {
        checkLimits(measureOperation(this.deps.schema, operation, entry.fragments, request.variables ?? {}), this.deps.limits);
      } catch {
        return false; // Apollo refuses it with the limit's code and status
      }
    }
    const started = performance.now();
    known.run ??= prepareRunner(this.deps.schema, entry.document, request.operationName, this.deps.executor, request.query.length);
    const result: ExecutionResult = await known.run(r.context(), request.variables);
    if (result.data === undefined) return false; // variables failed coercion: nothing ran
    const { errors, status, headers } = this.#format(result.errors ?? []);
    const text = `${JSON.stringify({ errors, data: result.data, extensions: result.extensions })}\n`;
    this.#record(r, request.operationName, operation, errors, started);
    this.deps.served();
    r.res.setHeader('content-type', mediaType);
    for (const [name, value] of headers) r.res.setHeader(name, value);
    r.res.setHeader('x-request-id', r.requestId);
    r.res.statusCode = status ?? 200;
    r.res.end(text);
    return true;
  }

  /** Apollo's `normalizeAndFormatErrors`: code defaulted, `extensions.http` taken out into the response head. */
  #format(raw: readonly GraphQLError[]): { errors?: GraphQLFormattedError[]; status?: number; headers: Map<string, string> } {
    const headers = new Map<string, string>();
    let status: number | undefined;
    if (raw.length === 0) return { headers };
    const errors = raw.map((error) => {
      try {
        // graphql-jit's errors may have no `extensions` at all.
        const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR };
        const http = extensions.http as { status?: unknown; headers?: unknown } | undefined;
        if (http && typeof http === 'object' && (http.status === undefined || typeof http.status === 'number') && (http.headers === undefined || http.headers instanceof Map)) {
          if (typeof http.status === 'number' && http.status) status = http.status;
          if (http.headers instanceof Map) for (const [name, value] of http.headers as Map<string, string>) headers.set(name, value);
          delete extensions.http;
        }
        return this.deps.formatError({ ...error.toJSON(), extensions }, error);
      } catch {
        return { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
      }
    });
    return { errors, status, headers };
  }

  /** The log line and metrics of plugins/request-log.ts and plugins/metrics.ts, for a request answered here. */
  #record<C>(r: FastPathRequest<C>, operationName: string | null, operation: OperationDefinitionNode, errors: GraphQLFormattedError[] | undefined, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    const codes = errors ? [...new Set(errors.map((e) => String(e.extensions?.code ?? '')))].filter(Boolean) : [];
    this.deps.logger.info('graphql', {
      requestId: r.requestId,
      keyId: r.keyId,
      operation: operationName ?? operation.name?.value ?? null,
      type: operation.operation,
      durationMs: seconds * 1000,
      errors: codes.length > 0 ? codes : undefined,
    });
    const first = errors?.[0];
    this.deps.observe({
      operation: operation.name?.value ?? null,
      type: operation.operation,
      code: first ? String(first.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) : null,
      seconds,
    });
  }
}

/**
 * True when some field's size bound (`first`, `samples`, `keys`, `names`, or a list estimate) has an argument
 * that names a variable, anywhere in the document: only then can two requests of one document measure
 * differently. Erring towards true costs only a measure per request.
 */
function limitsReadVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let reads = false;
  visit(document, visitWithTypeInfo(typeInfo, {
    Field(node) {
      const def = typeInfo.getFieldDef();
      const parent = typeInfo.getParentType();
      if (!def || !parent || !node.arguments?.some((a) => namesVariable(a.value))) return;
      if (def.args.some((a) => BOUND_ARGUMENTS.has(a.name)) || LIST_ESTIMATES[`${parent.name}.${def.name}`] !== undefined) reads = true;
    },
  }));
  return reads;
}

function namesVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(namesVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => namesVariable(f.value));
  return false;
}

interface PlainRequest {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown> | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A body of `query` text, optional `variables` object and optional non-empty `operationName`; else null. */
function plainRequest(body: unknown): PlainRequest | null {
  if (!isRecord(body) || typeof body.query !== 'string') return null;
  for (const key of Object.keys(body)) if (!BODY_FIELDS.has(key)) return null;
  const { variables, operationName } = body;
  if (variables !== undefined && variables !== null && !isRecord(variables)) return null;
  if (operationName !== undefined && operationName !== null && (typeof operationName !== 'string' || operationName === '')) return null;
  return { query: body.query, operationName: (operationName as string | null | undefined) ?? null, variables: (variables as Record<string, unknown> | null | undefined) ?? undefined };
}
