/** The live feed's registry events (`Subscription.modelVersionUpdated`). Roots are src/live/events.ts `ModelVersionEvent`. */
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { ModelVersion } from './model.type';

export enum ModelVersionEventKindEnum {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
}
registerEnumType(ModelVersionEventKindEnum, {
  name: 'ModelVersionEventKind',
  description: 'CREATED: registerModel made the version. UPDATED: updateModelVersion changed it (stage, status, tags, comment or aliases).',
});

@ObjectType({ description: 'A version of a registered model of the watched workspace was created or changed.' })
export class ModelVersionEvent {
  @Field(() => ModelVersionEventKindEnum)
  kind!: ModelVersionEventKindEnum;

  @Field(() => ModelVersion, { description: 'The version after the change.' })
  version!: ModelVersion;

  @Field(() => [String], { description: 'Aliases this change pointed at the version.' })
  addedAliases!: string[];

  @Field(() => [String], { description: 'Aliases this change removed from the version.' })
  removedAliases!: string[];
}
