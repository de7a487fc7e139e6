/** Payloads of the run-detail and lifecycle mutations. */
import { Field, Int, ObjectType } from 'type-graphql';
import { WritePayload } from './payload.type';
import { Project } from './project.type';

@ObjectType()
export class AppendOutputPayload extends WritePayload {}

@ObjectType()
export class ProjectPayload {
  @Field(() => Project)
  project!: Project;
}

@ObjectType()
export class DeleteProjectPayload {
  @Field() workspace!: string;
  @Field({ description: 'Name of the deleted project.' }) deletedProject!: string;
  @Field(() => Int, { description: 'Experiments deleted with it.' }) deletedExperiments!: number;
}

@ObjectType()
export class DeleteAssetPayload {
  @Field() experimentKey!: string;
  @Field() deletedAssetId!: string;
}

@ObjectType()
export class DeleteModelVersionPayload {
  @Field() workspace!: string;
  @Field() modelName!: string;
  @Field() deletedVersion!: string;
}
