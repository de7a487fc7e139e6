import { Field, Int, ObjectType } from 'type-graphql';
import { Connection } from './connection.type';
import { Node } from './node.type';
import { DateTimeScalar } from './scalars';

@ObjectType({ implements: Node, description: 'A set of experiments within a workspace.' })
export class Project extends Node {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ description: 'Whether the project is visible to everyone.' })
  isPublic!: boolean;

  @Field(() => DateTimeScalar, { nullable: true })
  createdAt!: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastUpdatedAt!: number | null;

  @Field(() => Int, { description: 'Experiments in the project, archived ones excluded.' })
  experimentCount!: number;
}

@ObjectType()
export class ProjectConnection extends Connection(Project, 'Project') {}
