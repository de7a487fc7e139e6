/**
 * The Comet backend: the port over Comet's REST API v2, one module per domain over a shared context
 * (context.ts), plus the lifecycle: readiness, the outbox's pending writes, and a draining close.
 */
import type * as Port from '../port';
import { OutboxLifecycle } from '../shared/outbox-lifecycle';
import { CometAssets } from './assets';
import { COMET_ATTRIBUTES_CAPABILITIES, CometAttributes } from './attributes';
import { CometContext, type CometParts } from './context';
import { COMET_DEAD_LETTERS_CAPABILITIES, cometDeadLetters, type OutboxDeadLetters } from './dead-letters';
import { COMET_DETAILS_CAPABILITIES, CometDetails } from './details';
import type { CometSession } from './routing';
import { COMET_EXPERIMENTS_CAPABILITIES, CometExperiments } from './experiments';
import { COMET_METRICS_CAPABILITIES, CometMetrics } from './metrics';
import { COMET_MONITORING_CAPABILITIES, CometMonitoring } from './monitoring';
import { CometProjects } from './projects';
import { COMET_REGISTRY_CAPABILITIES, CometRegistry } from './registry';

export const COMET_CAPABILITIES: Port.Capabilities = Object.freeze({
  backend: 'comet',
  experiments: COMET_EXPERIMENTS_CAPABILITIES,
  projects: Object.freeze({ editAttributes: true }),
  metrics: COMET_METRICS_CAPABILITIES,
  attributes: COMET_ATTRIBUTES_CAPABILITIES,
  registry: COMET_REGISTRY_CAPABILITIES,
  deadLetters: COMET_DEAD_LETTERS_CAPABILITIES,
  details: COMET_DETAILS_CAPABILITIES,
  monitoring: COMET_MONITORING_CAPABILITIES,
  // SDK clients log to Comet directly: the live feed polls for their points.
  live: Object.freeze({ externalWriters: true }),
});

export type { CometParts } from './context';

export class CometBackend extends OutboxLifecycle implements Port.Backend {
  readonly experiments: CometExperiments;
  readonly projects: CometProjects;
  readonly metrics: CometMetrics;
  readonly attributes: CometAttributes;
  readonly assets: CometAssets;
  readonly registry: CometRegistry;
  readonly deadLetters: OutboxDeadLetters<CometSession>;
  readonly details: CometDetails;
  readonly monitoring: CometMonitoring;

  constructor(parts: CometParts) {
    super('comet', parts);
    const context = new CometContext(parts);
    this.experiments = new CometExperiments(context);
    this.projects = new CometProjects(context);
    this.metrics = new CometMetrics(context);
    this.attributes = new CometAttributes(context);
    this.assets = new CometAssets(context);
    this.registry = new CometRegistry(context);
    this.deadLetters = cometDeadLetters(context);
    this.details = new CometDetails(context);
    this.monitoring = new CometMonitoring(context);
  }

  capabilities(): Port.Capabilities {
    return COMET_CAPABILITIES;
  }
}
