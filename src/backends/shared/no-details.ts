/**
 * The details domain of a backend that keeps no run details: every write refused, every read slot an error,
 * with one code and reason, so a backend reports `NO_DETAILS` in its capabilities and composes this.
 */
import { BadUserInputError } from '../../errors';
import type * as Port from '../port';

function refusal(backend: string): BadUserInputError {
  return new BadUserInputError(`Run details are not supported on the ${backend} backend (capabilities.details.supported is false)`, { reason: 'UNSUPPORTED' });
}

export class UnsupportedDetails implements Port.DetailsPort {
  constructor(private readonly backend: string) {}

  async get(_caller: Port.Caller, keys: readonly string[]) {
    return keys.map(() => refusal(this.backend));
  }

  async output(_caller: Port.Caller, requests: readonly unknown[]) {
    return requests.map(() => refusal(this.backend));
  }

  async curves(_caller: Port.Caller, keys: readonly string[]) {
    return keys.map(() => refusal(this.backend));
  }

  async projectNotes(_caller: Port.Caller, refs: readonly unknown[]) {
    return refs.map(() => refusal(this.backend));
  }

  async projectColumns(_caller: Port.Caller, refs: readonly unknown[]) {
    return refs.map(() => refusal(this.backend));
  }

  async update(): Promise<void> {
    throw refusal(this.backend);
  }

  async appendOutput(): Promise<{ accepted: number; status: Port.WriteStatus }> {
    throw refusal(this.backend);
  }

  async logCurve(): Promise<void> {
    throw refusal(this.backend);
  }

  async setProjectNotes(): Promise<void> {
    throw refusal(this.backend);
  }
}
