/**
 * Operations to fuzz, derived from the checked-in schema: one document per Query and Mutation field, its
 * arguments and the arguments of every nested field it selects passed as variables, so every argument of the
 * API can be given hostile values. Selections go three object levels deep and take every leaf field.
 */
import {
  type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLSchema, type GraphQLOutputType,
  getNamedType, getNullableType, isAbstractType, isLeafType, isNonNullType, isObjectType,
} from 'graphql';

export interface FuzzVariable {
  name: string;
  type: GraphQLInputType;
}

export interface FuzzOperation {
  /** `Query.experiment`, `Mutation.logMetrics`… */
  name: string;
  kind: 'query' | 'mutation';
  /** The root field: a mutation succeeded when `data[field]` is not null. */
  field: string;
  document: string;
  variables: FuzzVariable[];
}

const MAX_OBJECT_DEPTH = 3;

/**
 * The type a variable for `arg` is declared with: a non-null argument with a default takes a nullable
 * variable (GraphQL allows it), so leaving the variable out means "use the default", as clients do.
 */
function variableType(arg: GraphQLArgument): GraphQLInputType {
  return isNonNullType(arg.type) && arg.defaultValue !== undefined ? (getNullableType(arg.type) as GraphQLInputType) : arg.type;
}

class DocumentBuilder {
  readonly variables: FuzzVariable[] = [];

  args(field: GraphQLField<unknown, unknown>, path: string): string {
    if (field.args.length === 0) return '';
    const parts = field.args.map((arg) => {
      const name = `${path}_${arg.name}`.replace(/[^A-Za-z0-9_]/g, '_');
      this.variables.push({ name, type: variableType(arg) });
      return `${arg.name}: $${name}`;
    });
    return `(${parts.join(', ')})`;
  }

  selection(type: GraphQLOutputType, path: string, depth: number): string {
    const named: GraphQLNamedType = getNamedType(type);
    if (isLeafType(named)) return '';
    if (isAbstractType(named)) return '{ __typename id }';
    if (!isObjectType(named)) return '';
    const fields: string[] = [];
    for (const field of Object.values(named.getFields())) {
      const inner = getNamedType(field.type);
      if (isLeafType(inner)) {
        fields.push(`${field.name}${this.args(field, `${path}_${field.name}`)}`);
      } else if (depth < MAX_OBJECT_DEPTH) {
        const sub = this.selection(field.type, `${path}_${field.name}`, depth + 1);
        if (sub) fields.push(`${field.name}${this.args(field, `${path}_${field.name}`)} ${sub}`);
      }
    }
    return fields.length > 0 ? `{ ${fields.join(' ')} }` : '{ __typename }';
  }
}

export function deriveOperations(schema: GraphQLSchema): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  for (const [kind, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const builder = new DocumentBuilder();
      const args = builder.args(field, field.name);
      const selection = builder.selection(field.type, field.name, 1);
      const declared = builder.variables.map((v) => `$${v.name}: ${String(v.type)}`).join(', ');
      const document = `${kind} Fuzz${declared ? `(${declared})` : ''} { ${field.name}${args} ${selection} }`;
      out.push({ name: `${root.name}.${field.name}`, kind, field: field.name, document, variables: builder.variables });
    }
  }
  return out;
}
