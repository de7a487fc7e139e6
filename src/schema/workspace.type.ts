import { Field, ObjectType } from 'type-graphql';
import { Node } from './node.type';

@ObjectType({ implements: Node, description: 'A namespace of projects and registered models.' })
export class Workspace extends Node {
  @Field()
  name!: string;
}
