import { Field, ObjectType } from 'type-graphql';
import { Connection } from './connection.type';
import { ExperimentStatusEnum } from './enums';
import { Node } from './node.type';
import { DateTimeScalar } from './scalars';

@ObjectType({ implements: Node, description: 'One run of a training or evaluation job.' })
export class Experiment extends Node {
  @Field({ description: 'The experiment key (32 hex characters on both backends).' })
  key!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => ExperimentStatusEnum)
  status!: ExperimentStatusEnum;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: number | null;

  @Field(() => DateTimeScalar, { nullable: true })
  endedAt!: number | null;

  @Field()
  archived!: boolean;
}

@ObjectType()
export class ExperimentConnection extends Connection(Experiment, 'Experiment') {}

@ObjectType({ description: 'A hyperparameter or setting, as logged (string form).' })
export class Parameter {
  @Field()
  name!: string;

  @Field()
  value!: string;
}

@ObjectType({ description: 'A free-form key/value logged with `logOthers`.' })
export class Other {
  @Field()
  key!: string;

  @Field()
  value!: string;
}
