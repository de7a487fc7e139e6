/**
 * The monitoring domain of a backend that has none: every write refused, every read slot an error, each with
 * the same code and reason, so a backend reports `NO_MONITORING` in its capabilities and composes this.
 */
import { BadUserInputError } from '../../errors';
import type * as Port from '../port';

function refusal(backend: string): BadUserInputError {
  return new BadUserInputError(`Production monitoring is not supported on the ${backend} backend (capabilities.monitoring.supported is false)`, { reason: 'UNSUPPORTED' });
}

export class UnsupportedMonitoring implements Port.MonitoringPort {
  constructor(private readonly backend: string) {}

  async log(): Promise<Port.WriteStatus> {
    throw refusal(this.backend);
  }

  async logLabels(): Promise<Port.WriteStatus> {
    throw refusal(this.backend);
  }

  async logReference(): Promise<Port.WriteStatus> {
    throw refusal(this.backend);
  }

  async predictions(_caller: Port.Caller, requests: readonly unknown[]) {
    return requests.map(() => refusal(this.backend));
  }

  async counts(_caller: Port.Caller, requests: readonly unknown[]) {
    return requests.map(() => refusal(this.backend));
  }

  async distributions(_caller: Port.Caller, requests: readonly unknown[]) {
    return requests.map(() => refusal(this.backend));
  }

  async drift(_caller: Port.Caller, requests: readonly unknown[]) {
    return requests.map(() => refusal(this.backend));
  }

  async labelMetrics(_caller: Port.Caller, requests: readonly unknown[]) {
    return requests.map(() => refusal(this.backend));
  }

  async features(_caller: Port.Caller, refs: readonly unknown[]) {
    return refs.map(() => refusal(this.backend));
  }
}
