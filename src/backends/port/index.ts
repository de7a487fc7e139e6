/**
 * The contract every backend implements, in the domain's own types (plain objects, never GraphQL classes).
 *
 * A backend is one small port per domain (experiments, projects, metrics, attributes, assets, registry,
 * deadLetters, monitoring) plus
 * a lifecycle. Batch-first: every read takes an array of keys and answers one slot per key, in key order
 * (`BatchRead`), with `null` where the entity does not exist; a per-key failure is an `Error` in its slot
 * and only a whole-batch failure rejects. Writes take batches too, and `WriteOptions` (the idempotency
 * claim). Every method takes the caller first: backends scope what they read and write to it, and the
 * access policy (src/auth/policy.ts) has one row per method, checked by the compiler.
 */
import type { AttributesCapabilities, AttributesPort } from './attributes';
import type { AssetsPort } from './assets';
import type { Caller, IdempotencyClaim } from './common';
import type { DeadLettersCapabilities, DeadLettersPort } from './dead-letters';
import type { DetailsCapabilities, DetailsPort } from './details';
import type { ExperimentsCapabilities, ExperimentsPort } from './experiments';
import type { MetricsCapabilities, MetricsPort } from './metrics';
import type { MonitoringCapabilities, MonitoringPort } from './monitoring';
import type { ProjectsCapabilities, ProjectsPort } from './projects';
import type { RegistryCapabilities, RegistryPort } from './registry';

/** The domains, by the name a backend exposes each under (`backend.metrics.log(...)`). */
export interface Domains {
  experiments: ExperimentsPort;
  projects: ProjectsPort;
  metrics: MetricsPort;
  attributes: AttributesPort;
  assets: AssetsPort;
  registry: RegistryPort;
  deadLetters: DeadLettersPort;
  details: DetailsPort;
  monitoring: MonitoringPort;
}
export type DomainName = keyof Domains;
export const DOMAIN_NAMES: readonly DomainName[] = ['experiments', 'projects', 'metrics', 'attributes', 'assets', 'registry', 'deadLetters', 'details', 'monitoring'];

export type BackendName = 'sqlite' | 'comet' | 'mlflow';

/** What a backend can and cannot do, per domain; the schema reports it instead of faking what is missing. */
export interface Capabilities {
  backend: BackendName;
  experiments: ExperimentsCapabilities;
  projects: ProjectsCapabilities;
  metrics: MetricsCapabilities;
  attributes: AttributesCapabilities;
  registry: RegistryCapabilities;
  deadLetters: DeadLettersCapabilities;
  details: DetailsCapabilities;
  monitoring: MonitoringCapabilities;
  live: {
    /**
     * Other clients write to the store behind the gateway's back (Comet: the Python SDK), so the live feed
     * polls watched experiments for new points (src/live/poller.ts).
     */
    externalWriters: boolean;
  };
}

/** What is not a domain: capabilities, health, idempotency of non-store writes, and shutdown. */
export interface Lifecycle {
  capabilities(): Capabilities;
  /** Ready to serve; a short reason when not. */
  readiness(): Promise<{ ready: boolean; detail?: Record<string, unknown> }>;
  /**
   * Runs `produce` at most once per claim, for a mutation that writes nothing to the store itself
   * (`createAssetUpload` signs a URL): a retry gets the recorded result instead. The result must be JSON.
   */
  once<T>(caller: Caller, claim: IdempotencyClaim, produce: () => Promise<T>): Promise<T>;
  /**
   * Writes acknowledged QUEUED and not yet delivered upstream (requests in a durable outbox). Absent on
   * backends that store every write before answering.
   */
  pendingWrites?(): number;
  close(): Promise<void>;
}

export type Backend = Domains & Lifecycle;

export * from './assets';
export * from './attributes';
export * from './common';
export * from './dead-letters';
export * from './details';
export * from './experiments';
export * from './metrics';
export * from './projects';
export * from './registry';
export * from './limits';
export * from './monitoring';
