/** Model registry writes. Version strings are semantic-version-like: `1`, `1.2`, `1.2.3`, optional `-label`. */
import type { Backend, Caller, IdempotencyClaim, ModelVersion, RegisterModelInput, RegisteredModel, UpdateModelVersionInput } from '../backends/port';
import { BadUserInputError } from '../errors';
import { NO_LIVE_EVENTS, type LiveEvents } from '../live/events';
import type { Notifier } from '../notify/notifier';
import { Once } from './idempotency';
import * as v from './validate';

const VERSION = /^\d{1,9}(\.\d{1,9}){0,2}(-[0-9A-Za-z.-]{1,64})?$/;

function version(value: string, field = 'version'): string {
  const trimmed = value.trim();
  if (!VERSION.test(trimmed)) throw new BadUserInputError(`${field} must look like 1.0.0 (optionally with -label), got '${trimmed.slice(0, 64)}'`, { field });
  return trimmed;
}

function aliases(list: readonly string[] | null | undefined, field: string): string[] {
  const out = (list ?? []).map((a, i) => v.name(a, `${field}[${i}]`));
  for (const a of out) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(a)) throw new BadUserInputError(`${field} entries must start with a letter and hold only letters, digits, '-' or '_', got '${a}'`, { field });
  }
  return [...new Set(out)];
}

/** What the API passes in: like the port's inputs, but lists may be null. */
type Loose<T, K extends keyof T> = Omit<T, K> & { [P in K]?: T[P] | null };
export type RegisterModelRequest = Loose<RegisterModelInput, 'tags'>;
export type UpdateModelVersionRequest = Loose<UpdateModelVersionInput, 'addAliases' | 'removeAliases'>;

export class ModelsService {
  constructor(
    private readonly backend: Backend,
    /** Registry webhooks (src/notify/); none when null. */
    private readonly notifier: Notifier | null = null,
    /** The live feed (`modelVersionUpdated`), told after each write succeeded. */
    private readonly events: LiveEvents = NO_LIVE_EVENTS,
  ) {}

  async registerModel(caller: Caller, input: RegisterModelRequest, claim?: IdempotencyClaim): Promise<{ model: RegisteredModel; versions: ModelVersion[] }> {
    const once = new Once(claim);
    const register = () => this.backend.registry.register(caller, {
      experimentKey: v.experimentKey(input.experimentKey),
      experimentModelName: v.name(input.experimentModelName, 'experimentModelName'),
      workspace: v.optionalName(input.workspace, 'workspace'),
      registryName: v.name(input.registryName, 'registryName'),
      version: version(input.version),
      description: v.optionalText(input.description, 'description'),
      isPublic: input.isPublic ?? false,
      comment: v.optionalText(input.comment, 'comment'),
      stage: v.optionalName(input.stage, 'stage'),
      status: v.optionalName(input.status, 'status'),
      tags: [...new Set((input.tags ?? []).map((t, i) => v.name(t, `tags[${i}]`)))],
      includeChildren: input.includeChildren ?? false,
    }, once.options);
    const result = await (this.notifier ? this.notifier.modelRegistered(register, () => once.replayed) : register());
    if (!once.replayed) for (const created of result.versions) this.events.modelVersionChanged?.({ kind: 'CREATED', version: created, addedAliases: [], removedAliases: [] });
    return result;
  }

  async updateModelVersion(caller: Caller, input: UpdateModelVersionRequest, claim?: IdempotencyClaim): Promise<ModelVersion> {
    const add = aliases(input.addAliases, 'addAliases');
    const remove = aliases(input.removeAliases, 'removeAliases');
    const both = add.find((a) => remove.includes(a));
    if (both) throw new BadUserInputError(`alias '${both}' is both added and removed`, { field: 'addAliases' });
    const once = new Once(claim);
    const update = () => this.backend.registry.updateVersion(caller, {
      workspace: v.name(input.workspace, 'workspace'),
      modelName: v.name(input.modelName, 'modelName'),
      version: version(input.version),
      stage: input.stage === undefined ? undefined : v.optionalName(input.stage, 'stage'),
      status: input.status === undefined ? undefined : v.optionalName(input.status, 'status'),
      tags: input.tags == null ? input.tags : [...new Set(input.tags.map((t, i) => v.name(t, `tags[${i}]`)))],
      comment: input.comment === undefined ? undefined : v.optionalText(input.comment, 'comment'),
      addAliases: add,
      removeAliases: remove,
    }, once.options);
    const updated = await (this.notifier ? this.notifier.modelVersionUpdated(add, remove, update, () => once.replayed) : update());
    if (!once.replayed) this.events.modelVersionChanged?.({ kind: 'UPDATED', version: updated, addedAliases: add, removedAliases: remove });
    return updated;
  }
}
