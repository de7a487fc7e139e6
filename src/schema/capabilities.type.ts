import { Field, ObjectType } from 'type-graphql';
import { DetailsCapabilities } from './details.type';
import { MonitoringCapabilities } from './monitoring.type';

@ObjectType({ description: 'What the backend does with experiments.' })
export class ExperimentCapabilities {
  @Field({ description: 'OR and NOT filters are evaluated by the backend (otherwise in the gateway after the fetch).' })
  orFilters!: boolean;

  @Field({ description: 'updateExperiment can rename an experiment.' })
  rename!: boolean;
}

@ObjectType({ description: 'What the backend does with projects.' })
export class ProjectCapabilities {
  @Field({ description: "updateProject can change a project's description and isPublic (a rename works on every backend)." })
  editAttributes!: boolean;
}

@ObjectType({ description: 'What the backend does with metrics.' })
export class MetricCapabilities {
  @Field({ description: 'MetricSummary.count is known.' })
  pointCounts!: boolean;

  @Field({ description: "A point's epoch and context are kept (false: they read back null)." })
  pointAttributes!: boolean;

  @Field({
    description: 'Contexts are kept apart: each (metric, context) is a series with its own summary and history, and ' +
      'Experiment.metric/metrics take `context`. False: one series per name holds every context.',
  })
  contexts!: boolean;
}

@ObjectType({ description: 'What the backend does with parameters, tags and others.' })
export class AttributeCapabilities {
  @Field({ description: 'removeTags is supported.' })
  removeTags!: boolean;

  @Field({ description: 'A parameter logged again with another value replaces it (false: parameters are written once; a changed value is BAD_USER_INPUT).' })
  overwriteParameters!: boolean;
}

@ObjectType({ description: 'What the backend does with the model registry.' })
export class RegistryCapabilities {
  @Field({ description: 'Model version aliases are supported.' })
  aliases!: boolean;
}

@ObjectType({ description: 'What the backend does with writes its upstream refuses after they were queued.' })
export class DeadLetterCapabilities {
  @Field({ description: 'Queued writes refused for good are kept as dead letters (false: the backend never queues, so it has none).' })
  kept!: boolean;
}

@ObjectType({ description: 'How the live feed learns of new data.' })
export class LiveCapabilities {
  @Field({ description: 'Other clients write to the store behind the gateway; the live feed polls watched experiments for their points.' })
  externalWriters!: boolean;
}

@ObjectType({ description: 'What the serving backend can do, per domain; clients can adapt instead of guessing.' })
export class Capabilities {
  @Field({ description: 'Name of the backend: sqlite, comet or mlflow.' })
  backend!: string;

  @Field(() => ExperimentCapabilities)
  experiments!: ExperimentCapabilities;

  @Field(() => ProjectCapabilities)
  projects!: ProjectCapabilities;

  @Field(() => MetricCapabilities)
  metrics!: MetricCapabilities;

  @Field(() => AttributeCapabilities)
  attributes!: AttributeCapabilities;

  @Field(() => RegistryCapabilities)
  registry!: RegistryCapabilities;

  @Field(() => DeadLetterCapabilities)
  deadLetters!: DeadLetterCapabilities;

  @Field(() => LiveCapabilities)
  live!: LiveCapabilities;

  @Field(() => DetailsCapabilities)
  details!: DetailsCapabilities;
  @Field(() => MonitoringCapabilities)
  monitoring!: MonitoringCapabilities;

  @Field({ description: 'MetricSummary.count is known.', deprecationReason: 'Use metrics.pointCounts.' })
  metricPointCounts!: boolean;

  @Field({ description: 'removeTags is supported.', deprecationReason: 'Use attributes.removeTags.' })
  removeTags!: boolean;

  @Field({ description: 'Model version aliases are supported.', deprecationReason: 'Use registry.aliases.' })
  modelAliases!: boolean;

  @Field({ description: 'OR filters are evaluated by the backend (otherwise in the gateway after the fetch).', deprecationReason: 'Use experiments.orFilters.' })
  orFilters!: boolean;
}
