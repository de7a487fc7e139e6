/** Events of the live feed (`Subscription`). Roots are the domain events of src/live/events.ts. */
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Experiment } from './experiment.type';
import { MetricPoint } from './metric.type';

export enum ExperimentEventKindEnum {
  CREATED = 'CREATED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  ENDED = 'ENDED',
  TAGS_CHANGED = 'TAGS_CHANGED',
  ARCHIVED = 'ARCHIVED',
  DELETED = 'DELETED',
  UPDATED = 'UPDATED',
  RESTORED = 'RESTORED',
}
registerEnumType(ExperimentEventKindEnum, {
  name: 'ExperimentEventKind',
  description: 'What happened to an experiment. ENDED is `endExperiment`; STATUS_CHANGED is any other change of status reported by a backend.',
  valuesConfig: {
    UPDATED: { description: 'A rename (`updateExperiment`) or new run details (`updateRunDetails`).' },
    RESTORED: { description: '`restoreExperiment`.' },
  },
});

@ObjectType({ description: 'New points of one metric of one experiment, in the order they were logged.' })
export class MetricEvent {
  @Field()
  experimentKey!: string;

  @Field()
  name!: string;

  @Field(() => [MetricPoint])
  points!: MetricPoint[];

  @Field(() => Int, {
    description:
      'Points of this metric left out since your previous event because you read too slowly (the newest point is always kept). ' +
      'Fill the gap from `experiment { metric(name) { history(afterStep) } }` when it matters.',
  })
  dropped!: number;
}

@ObjectType({ description: 'Something happened to an experiment of the watched project.' })
export class ExperimentEvent {
  @Field(() => ExperimentEventKindEnum)
  kind!: ExperimentEventKindEnum;

  @Field()
  experimentKey!: string;

  @Field(() => Experiment, { nullable: true, description: 'The experiment after the change; null after DELETED.' })
  experiment!: Experiment | null;

  @Field(() => [String], { nullable: true, description: 'Tags after the change, for CREATED and TAGS_CHANGED.' })
  tags!: string[] | null;
}
