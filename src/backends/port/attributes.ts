/** What a run carries beside metrics: parameters, tags and free-form `others`. */
import type { Caller, WriteOptions, WriteStatus } from './common';

export interface Parameter {
  name: string;
  /** The value as logged, as a string (Comet stores parameters as strings). */
  value: string;
}

export interface Other {
  key: string;
  value: string;
}

export interface AttributesCapabilities {
  /** Tags can be removed. */
  removeTags: boolean;
  /** A parameter logged again with another value replaces it (false: parameters are written once, and a changed value is BAD_USER_INPUT). */
  overwriteParameters: boolean;
}

export interface AttributesPort {
  /** Parameters per key, ordered by name. */
  parameters(caller: Caller, keys: readonly string[]): Promise<(Parameter[] | Error)[]>;
  /** Tags per key, sorted. */
  tags(caller: Caller, keys: readonly string[]): Promise<(string[] | Error)[]>;
  /** `log_other` entries per key, ordered by key. */
  others(caller: Caller, keys: readonly string[]): Promise<(Other[] | Error)[]>;
  /** Sets (or overwrites) parameters, all or none. */
  logParameters(caller: Caller, experimentKey: string, params: readonly Parameter[], options?: WriteOptions): Promise<WriteStatus>;
  logOthers(caller: Caller, experimentKey: string, others: readonly Other[], options?: WriteOptions): Promise<WriteStatus>;
  /** Returns the experiment's tags after the change. */
  addTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: WriteOptions): Promise<string[]>;
  /** Returns the experiment's tags after the change; BAD_USER_INPUT where `removeTags` is not a capability. */
  removeTags(caller: Caller, experimentKey: string, tags: readonly string[], options?: WriteOptions): Promise<string[]>;
}
