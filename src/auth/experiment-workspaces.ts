/**
 * Which workspace each experiment key belongs to, for access checks on calls addressed by experiment key.
 * An experiment never changes workspace and keys are never reused, so an answer stays true: it is kept, and
 * a hot write path (logMetrics every few seconds) costs one lookup per experiment, not one per call.
 */
import type { Caller, ExperimentsPort } from '../backends/port';

/** Entries kept; past this the map starts over (a bounded memo, not a store). */
export const MAX_REMEMBERED_EXPERIMENTS = 100_000;

export class ExperimentWorkspaces {
  readonly #port: Pick<ExperimentsPort, 'get'>;
  readonly #known = new Map<string, string>();

  constructor(port: Pick<ExperimentsPort, 'get'>) {
    this.#port = port;
  }

  /** Workspace per key (null when the experiment does not exist): remembered answers, else one batched read. */
  async of(caller: Caller, keys: readonly string[]): Promise<Map<string, string | null>> {
    const unknown = [...new Set(keys.filter((k) => !this.#known.has(k)))];
    if (unknown.length > 0) {
      const rows = await this.#port.get(caller, unknown);
      for (const row of rows) if (row && !(row instanceof Error)) this.remember(row.key, row.workspace);
    }
    return new Map(keys.map((k) => [k, this.#known.get(k) ?? null]));
  }

  remember(experimentKey: string, workspace: string): void {
    if (this.#known.size >= MAX_REMEMBERED_EXPERIMENTS) this.#known.clear();
    this.#known.set(experimentKey, workspace);
  }
}
