/**
 * How the fast path (fast-path.ts) runs a remembered operation: compiled once per document and operation by
 * graphql-jit, or with graphql-js `execute` each time. A compiled query belongs to its document's text: the
 * variable types it was compiled for are that text's, so it is never shared with another document.
 *
 * graphql-jit reads a field that has no `resolve` as a plain property, where graphql-js would call a function
 * found there; every field of the schema built by type-graphql has a resolver of its own, so both agree here
 * (test/integration/fast-path.test.ts compares them with Apollo). graphql-jit does not resolve type-graphql's
 * interfaces and unions (`Node`: "Abstract type Node must resolve to an Object type at runtime"), so a document
 * that selects a field of an abstract type runs on `execute`, as does one graphql-jit refuses to compile.
 */
import { type DocumentNode, type ExecutionResult, type GraphQLSchema, TypeInfo, execute, getNamedType, isAbstractType, visit, visitWithTypeInfo } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';

export type FastPathExecutor = 'jit' | 'execute';

/**
 * Longest document text graphql-jit compiles: its generated code grows with the document, and the fast path
 * keeps up to FAST_PATH_DOCUMENTS of them, so longer (rarer, heavier) documents run on `execute`.
 */
export const JIT_MAX_TEXT = 4096;

/** Runs one operation of one document for a request's context and variables. */
export type Runner = (contextValue: unknown, variables: Record<string, unknown> | undefined) => ExecutionResult | Promise<ExecutionResult>;

export function prepareRunner(
  schema: GraphQLSchema, document: DocumentNode, operationName: string | null, executor: FastPathExecutor, textLength: number,
): Runner {
  const byExecute: Runner = (contextValue, variableValues) =>
    execute({ schema, document, operationName: operationName ?? undefined, contextValue, variableValues }) as ExecutionResult | Promise<ExecutionResult>;
  if (executor === 'execute' || textLength > JIT_MAX_TEXT || selectsAbstractType(schema, document)) return byExecute;
  const compiled = compileQuery(schema, document, operationName ?? undefined);
  if (!isCompiledQuery(compiled)) return byExecute;
  return (contextValue, variables) => compiled.query(undefined, contextValue, variables ?? {}) as ExecutionResult | Promise<ExecutionResult>;
}

/** True when some field the document selects returns an interface or a union (or a list of them). */
function selectsAbstractType(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(document, visitWithTypeInfo(typeInfo, {
    Field() {
      const type = typeInfo.getType();
      if (type && isAbstractType(getNamedType(type))) found = true;
    },
  }));
  return found;
}
