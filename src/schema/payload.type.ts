/** Mutation payloads: each names what changed, so clients can update their caches. */
import { Field, Int, ObjectType } from 'type-graphql';
import { WriteStatusEnum } from './enums';
import { Experiment } from './experiment.type';
import { ModelVersion, RegisteredModel } from './model.type';
import { Project } from './project.type';
import { DateTimeScalar } from './scalars';

@ObjectType()
export class CreateProjectPayload {
  @Field(() => Project)
  project!: Project;
}

@ObjectType()
export class ExperimentPayload {
  @Field(() => Experiment)
  experiment!: Experiment;
}

@ObjectType()
export class CreateExperimentPayload extends ExperimentPayload {}

@ObjectType()
export class EndExperimentPayload extends ExperimentPayload {}

@ObjectType()
export class WritePayload {
  @Field()
  experimentKey!: string;

  @Field(() => Int, { description: 'Items stored (or queued) by this call.' })
  accepted!: number;

  @Field(() => WriteStatusEnum)
  status!: WriteStatusEnum;
}

@ObjectType()
export class LogMetricsPayload extends WritePayload {}

@ObjectType()
export class LogParametersPayload extends WritePayload {}

@ObjectType()
export class LogOthersPayload extends WritePayload {}

@ObjectType()
export class TagsPayload {
  @Field()
  experimentKey!: string;

  @Field(() => [String], { description: 'All tags of the experiment after the change.' })
  tags!: string[];

  @Field(() => Experiment, {
    description: 'The experiment after the change, so a normalised client cache (select `id`) updates its tags without a refetch.',
  })
  experiment!: Experiment;
}

@ObjectType()
export class CreateAssetUploadPayload {
  @Field({ description: 'PUT the bytes to this URL (no other header needed). It expires at `expiresAt`.' })
  uploadUrl!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: number;

  @Field({ description: 'Largest body the upload URL accepts, in bytes.' })
  maxBytes!: number;
}

@ObjectType()
export class RegisterModelPayload {
  @Field(() => RegisteredModel)
  registeredModel!: RegisteredModel;

  @Field(() => [ModelVersion], { description: "The versions created: the experiment's first, then its children's." })
  versions!: ModelVersion[];
}

@ObjectType()
export class UpdateModelVersionPayload {
  @Field(() => ModelVersion)
  version!: ModelVersion;
}

@ObjectType()
export class DeleteExperimentPayload {
  @Field()
  deletedKey!: string;
}
