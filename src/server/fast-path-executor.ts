/**
 * How the fast path (fast-path.ts) runs a remembered operation: compiled once per document and operation by
 * graphql-jit, or with graphql-js `execute` each time. A compiled query belongs to its document's text: the
 * variable types it was compiled for are that text's, so it is never shared with another document.
 *
 * graphql-jit reads a field that has no `resolve` as a plain property, where graphql-js would call a function
 * found there; every field of the schema built by type-graphql has a resolver of its own, so both agree here
 * (test/integration/fast-path.test.ts compares them with Apollo). graphql-jit does not resolve type-graphql's
 * interfaces and unions (`Node`: "Abstract type Node must resolve to an Object type at runtime"), so a document
 * that selects a field of an abstract type runs on `execute`, as does a document whose variables take a recursive
 * input type (graphql-jit cannot compile it, and takes seconds to find out), or one it refuses to compile.
 */
import {
  type DocumentNode, type ExecutionResult, type GraphQLNamedType, type GraphQLSchema, Kind, TypeInfo, execute, getNamedType, isAbstractType,
  isInputObjectType, typeFromAST, visit, visitWithTypeInfo,
} from 'graphql';
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
  if (executorFor(schema, document, executor, textLength) === 'execute') return byExecute;
  const compiled = compileQuery(schema, document, operationName ?? undefined);
  if (!isCompiledQuery(compiled)) return byExecute;
  return (contextValue, variables) => compiled.query(undefined, contextValue, variables ?? {}) as ExecutionResult | Promise<ExecutionResult>;
}

/** The executor a document runs on: graphql-jit where it compiles quickly and resolves every field, else `execute`. */
export function executorFor(schema: GraphQLSchema, document: DocumentNode, executor: FastPathExecutor, textLength: number): FastPathExecutor {
  const jit = executor === 'jit' && textLength <= JIT_MAX_TEXT && !selectsAbstractType(schema, document) && !takesRecursiveInput(schema, document);
  return jit ? 'jit' : 'execute';
}

/**
 * True when a variable's type reaches an input object that contains itself, as `ExperimentFilterInput` does
 * through `and`, `or` and `not`. graphql-jit 0.8 compiles the coercion of such a variable by recursing into the
 * type until the stack runs out: about 8 s of a blocked event loop on this schema, and then no compiled query.
 */
function takesRecursiveInput(schema: GraphQLSchema, document: DocumentNode): boolean {
  return document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && (definition.variableDefinitions ?? []).some((variable) => {
    const type = typeFromAST(schema, variable.type);
    return type !== undefined && reachesCycle(getNamedType(type), new Set());
  }));
}

/** Per input type, whether a cycle of input objects is reachable from it (the schema's types live as long as it). */
const reachesCycleOf = new WeakMap<GraphQLNamedType, boolean>();

function reachesCycle(type: GraphQLNamedType, path: Set<GraphQLNamedType>): boolean {
  if (!isInputObjectType(type)) return false;
  if (path.has(type)) return true;
  const known = reachesCycleOf.get(type);
  if (known !== undefined) return known;
  path.add(type);
  const found = Object.values(type.getFields()).some((field) => reachesCycle(getNamedType(field.type), path));
  path.delete(type);
  reachesCycleOf.set(type, found);
  return found;
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
