import type { NonEmptyArray } from 'type-graphql';
import { AssetResolver, ExperimentModelResolver } from './asset.resolver';
import { DeadLetterResolver } from './dead-letter.resolver';
import { DetailsMutations } from './details.mutations';
import { LifecycleMutations } from './lifecycle.mutations';
import { ExperimentDetailsResolver, GitInfoResolver, ProjectDetailsResolver } from './details.resolver';
import { ExperimentMutations } from './experiment.mutations';
import { ExperimentResolver } from './experiment.resolver';
import { LiveResolver } from './live.resolver';
import { LiveMonitoringResolver } from './live-monitoring.resolver';
import { MetricPointResolver, MetricSummaryResolver } from './metric.resolver';
import { ModelMutations } from './model.mutations';
import { ModelVersionResolver, RegisteredModelResolver } from './model.resolver';
import { MonitoringMutations } from './monitoring.mutations';
import { ModelVersionMonitoringResolver } from './monitoring.resolver';
import { ProjectResolver } from './project.resolver';
import { QueryResolver } from './query.resolver';
import { WorkspaceResolver } from './workspace.resolver';
import { WebhookMutations, WebhookResolver, WorkspaceHooksResolver } from './webhook.resolver';
import { ModelLiveResolver } from './model-live.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [
  QueryResolver, WorkspaceResolver, ProjectResolver, ExperimentResolver, MetricSummaryResolver, MetricPointResolver,
  AssetResolver, ExperimentModelResolver, RegisteredModelResolver, ModelVersionResolver, ExperimentMutations, ModelMutations,
  LiveResolver, DeadLetterResolver,
  ModelVersionMonitoringResolver, MonitoringMutations, LiveMonitoringResolver,
  WebhookResolver, WorkspaceHooksResolver, WebhookMutations, ModelLiveResolver,
  ExperimentDetailsResolver, GitInfoResolver, ProjectDetailsResolver, DetailsMutations, LifecycleMutations,
];
