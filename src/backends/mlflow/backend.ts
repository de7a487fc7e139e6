/**
 * The MLflow backend: the port over MLflow's tracking REST API 2.0, one module per domain over a shared
 * context (context.ts), plus the lifecycle: readiness and a closing pool.
 */
import * as Port from '../port';
import { OutboxLifecycle } from '../shared/outbox-lifecycle';
import { MLFLOW_ATTRIBUTES_CAPABILITIES, MlflowAttributes } from './attributes';
import { MlflowContext, type MlflowParts } from './context';
import type { OutboxDeadLetters } from '../comet/dead-letters';
import type { Credentials } from './credentials';
import { MLFLOW_DEAD_LETTERS_CAPABILITIES, mlflowDeadLetters } from './dead-letters';
import { MLFLOW_EXPERIMENTS_CAPABILITIES, MlflowExperiments } from './experiments';
import { MLFLOW_METRICS_CAPABILITIES, MlflowMetrics } from './metrics';
import { MlflowProjects } from './projects';
import { MlflowAssets } from './assets';
import { MLFLOW_REGISTRY_CAPABILITIES, MlflowRegistry } from './registry';
import { UnsupportedMonitoring } from '../shared/no-monitoring';
import { MLFLOW_DETAILS_CAPABILITIES, MlflowDetails } from './details';

export const MLFLOW_CAPABILITIES: Port.Capabilities = Object.freeze({
  backend: 'mlflow',
  experiments: MLFLOW_EXPERIMENTS_CAPABILITIES,
  // The description and isPublic are experiment tags, changed with set-experiment-tag (projects.ts).
  projects: Object.freeze({ editAttributes: true }),
  metrics: MLFLOW_METRICS_CAPABILITIES,
  attributes: MLFLOW_ATTRIBUTES_CAPABILITIES,
  registry: MLFLOW_REGISTRY_CAPABILITIES,
  deadLetters: MLFLOW_DEAD_LETTERS_CAPABILITIES,
  // System tags where MLflow has them, artifacts under the run's `trackql/` folder for the rest (docs/mlflow.md).
  details: MLFLOW_DETAILS_CAPABILITIES,
  monitoring: Port.NO_MONITORING,
  // Python clients log to MLflow directly: the live feed polls for their points.
  live: Object.freeze({ externalWriters: true }),
});

export class MlflowBackend extends OutboxLifecycle implements Port.Backend {
  readonly experiments: MlflowExperiments;
  readonly projects: MlflowProjects;
  readonly metrics: MlflowMetrics;
  readonly attributes: MlflowAttributes;
  readonly assets: MlflowAssets;
  readonly registry: MlflowRegistry;
  readonly deadLetters: OutboxDeadLetters<Credentials>;
  readonly details: MlflowDetails;
  readonly monitoring = new UnsupportedMonitoring('MLflow');

  constructor(parts: MlflowParts) {
    super('mlflow', parts);
    const context = new MlflowContext(parts);
    this.experiments = new MlflowExperiments(context);
    this.projects = new MlflowProjects(context);
    this.metrics = new MlflowMetrics(context);
    this.attributes = new MlflowAttributes(context);
    this.assets = new MlflowAssets(context);
    this.registry = new MlflowRegistry(context);
    this.deadLetters = mlflowDeadLetters(context);
    this.details = new MlflowDetails(context);
  }

  capabilities(): Port.Capabilities {
    return MLFLOW_CAPABILITIES;
  }
}
