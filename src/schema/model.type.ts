import { Field, ObjectType } from 'type-graphql';
import { Connection } from './connection.type';
import { Node } from './node.type';
import { DateTimeScalar } from './scalars';

@ObjectType({ implements: Node, description: 'A model in the workspace registry, with its versions.' })
export class RegisteredModel extends Node {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ name: 'public' })
  isPublic!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAt!: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastUpdatedAt!: number | null;
}

@ObjectType()
export class RegisteredModelConnection extends Connection(RegisteredModel, 'RegisteredModel') {}

@ObjectType({ implements: Node, description: 'One registered version of a model.' })
export class ModelVersion extends Node {
  @Field()
  version!: string;

  @Field(() => String, { nullable: true })
  stage!: string | null;

  @Field(() => String, { nullable: true })
  status!: string | null;

  @Field(() => [String])
  tags!: string[];

  @Field(() => [String], { description: 'Named pointers (e.g. `champion`) currently on this version.' })
  aliases!: string[];

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAt!: number | null;
}
