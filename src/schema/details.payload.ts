/** Payloads of the run-detail and lifecycle mutations. */
import { Field, ObjectType } from 'type-graphql';
import { WritePayload } from './payload.type';
import { Project } from './project.type';

@ObjectType()
export class AppendOutputPayload extends WritePayload {}

@ObjectType()
export class ProjectPayload {
  @Field(() => Project)
  project!: Project;
}
