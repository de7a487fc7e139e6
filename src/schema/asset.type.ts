import { Field, Float, ObjectType } from 'type-graphql';
import { Connection } from './connection.type';
import { Node } from './node.type';
import { DateTimeScalar, JSONObjectScalar } from './scalars';

@ObjectType({ implements: Node, description: 'A file logged with an experiment.' })
export class Asset extends Node {
  @Field()
  assetId!: string;

  @Field()
  fileName!: string;

  @Field(() => Float, { description: 'Size in bytes.' })
  size!: number;

  @Field({ description: 'Asset type, such as `asset`, `model-element`, `image`.' })
  type!: string;

  @Field(() => Number, { nullable: true })
  step!: number | null;

  @Field(() => DateTimeScalar)
  createdAt!: number;

  @Field(() => JSONObjectScalar, { nullable: true })
  metadata!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Experiment model the asset belongs to, if any.' })
  modelName!: string | null;
}

@ObjectType()
export class AssetConnection extends Connection(Asset, 'Asset') {}

@ObjectType({ description: 'Assets of an experiment grouped under a model name; registrable with `registerModel`.' })
export class ExperimentModel {
  @Field()
  name!: string;
}
