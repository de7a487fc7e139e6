/**
 * The Comet backend: the port over Comet's REST API v2, one module per domain over a shared context
 * (context.ts), plus the lifecycle: readiness, the outbox's pending writes, and a draining close.
 */
import type * as Port from '../port';
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

export class CometBackend implements Port.Backend {
  readonly experiments: CometExperiments;
  readonly projects: CometProjects;
  readonly metrics: CometMetrics;
  readonly attributes: CometAttributes;
  readonly assets: CometAssets;
  readonly registry: CometRegistry;
  readonly deadLetters: OutboxDeadLetters<CometSession>;
  readonly details: CometDetails;
  readonly monitoring: CometMonitoring;
  readonly #p: CometParts;
  #closed: Promise<void> | null = null;

  constructor(parts: CometParts) {
    this.#p = parts;
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

  async once<T>(caller: Port.Caller, claim: Port.IdempotencyClaim, produce: () => Promise<T>): Promise<T> {
    return this.#p.idempotency.call(caller.keyId, claim, produce);
  }

  pendingWrites(): number {
    return this.#p.writer.pending();
  }

  async readiness() {
    try {
      return {
        ready: true,
        detail: { backend: 'comet', pendingWrites: this.#p.outbox.count(), deadWrites: this.#p.outbox.deadCount(), cacheTtlMs: this.#p.cache.ttlMs },
      };
    } catch (error) {
      return { ready: false, detail: { backend: 'comet', error: (error as Error).message } };
    }
  }

  /** Finishes live sends, drains the outbox briefly, leaves the rest persisted for the next start. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#p.writer.close(this.#p.drainOnCloseMs);
      await this.#p.http.close();
      await this.#p.idempotency.close();
      this.#p.outbox.close();
      await this.#p.cache.close();
    })();
    return this.#closed;
  }
}
