/**
 * The Relay `Node` interface and global ids. A global id is base64url(JSON [typename, ...natural key]):
 * opaque to clients, but decodable without a lookup table.
 */
import { Field, ID, InterfaceType } from 'type-graphql';

export type NodeTypeName = 'Workspace' | 'Project' | 'Experiment' | 'RegisteredModel' | 'ModelVersion' | 'Asset';
const NODE_TYPES: ReadonlySet<string> = new Set<NodeTypeName>([
  'Workspace', 'Project', 'Experiment', 'RegisteredModel', 'ModelVersion', 'Asset',
]);

/** Marks a plain domain object with its GraphQL type, so `Node` can resolve it. */
export type Typed<T> = T & { __typename: NodeTypeName };

export function toGlobalId(type: NodeTypeName, ...key: string[]): string {
  return Buffer.from(JSON.stringify([type, ...key])).toString('base64url');
}

/** Decodes a global id; null when it is not one of ours. */
export function fromGlobalId(id: string): { type: NodeTypeName; key: string[] } | null {
  if (id.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length < 2 || !parsed.every((p) => typeof p === 'string')) return null;
    const [type, ...key] = parsed as string[];
    return NODE_TYPES.has(type) ? { type: type as NodeTypeName, key } : null;
  } catch {
    return null;
  }
}

@InterfaceType({
  description: 'An object with a globally unique id, refetchable with `Query.node(id)`.',
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: 'Globally unique, opaque id.' })
  id!: string;
}
