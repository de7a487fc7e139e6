/**
 * The dead-letters port on Comet: queued requests Comet refused for good, kept in the outbox's `dead` table
 * (outbox.ts) with Comet's reason. A caller sees, replays and discards only the letters of its own API key
 * (its session namespace): another key's letter is missing, never FORBIDDEN, so its existence does not leak.
 */
import { NotFoundError } from '../../errors';
import type * as Port from '../port';
import type { CometContext } from './context';
import { decodeKeyCursor } from './cursor';
import { checkPageSize } from '../port';
import type { CometIdempotency } from './idempotency';
import type { Outbox } from './outbox';
import type { CometSession } from './routing';
import type { PipelineSession, WritePipeline } from './writer';

type Caller = Port.Caller;

export const COMET_DEAD_LETTERS_CAPABILITIES: Port.DeadLettersCapabilities = Object.freeze({ kept: true });

const CURSOR_KIND = 'dead';

/** A letter id as the schema shows it; anything that is not one names no letter. */
function letterId(id: string): number {
  const n = /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n)) throw new NotFoundError(`Dead letter '${id.slice(0, 64)}' does not exist for this API key`);
  return n;
}

/** What the letters of an outbox need, whichever upstream it delivers to (Comet, MLflow). */
export interface DeadLetterParts<S extends PipelineSession> {
  /** The caller's session: its namespace owns the letters. */
  resolve(caller: Caller): S;
  outbox: Outbox;
  idempotency: CometIdempotency;
  writer: WritePipeline<S>;
}

export class OutboxDeadLetters<S extends PipelineSession> implements Port.DeadLettersPort {
  readonly #parts: DeadLetterParts<S>;

  constructor(parts: DeadLetterParts<S>) {
    this.#parts = parts;
  }

  async list(caller: Caller, page: Port.PageRequest): Promise<Port.Page<Port.DeadLetter>> {
    const first = checkPageSize(page.first);
    const after = page.after ? Number(decodeKeyCursor(CURSOR_KIND, page.after).id) : 0;
    const { ns } = this.#parts.resolve(caller);
    const { rows, total } = this.#parts.outbox.deadLetters(ns, first + 1, after);
    const items = rows.slice(0, first).map((r): Port.DeadLetter => ({ ...r, id: String(r.id) }));
    return {
      items,
      // Letters are ordered by id, which never changes: the cursor's id alone says where the next page starts.
      cursors: items.map((item) => Buffer.from(JSON.stringify([CURSOR_KIND, 0, item.id])).toString('base64url')),
      hasNextPage: rows.length > first,
      // Ids only grow and letters only leave: a cursor past the first letter has letters before it unless all went.
      hasPreviousPage: after > 0 && this.#parts.outbox.deadLetters(ns, 1, 0).rows.some((r) => r.id <= after),
      totalCount: total,
    };
  }

  async replay(caller: Caller, id: string, options?: Port.WriteOptions): Promise<Port.WriteStatus> {
    const n = letterId(id);
    const session = this.#parts.resolve(caller);
    const { idempotency, writer } = this.#parts;
    return idempotency.logged(caller.keyId, options?.idempotency, (record) => writer.replayDead(session, n, record));
  }

  async discard(caller: Caller, id: string, options?: Port.WriteOptions): Promise<void> {
    const n = letterId(id);
    const { ns } = this.#parts.resolve(caller);
    return this.#parts.idempotency.call(caller.keyId, options?.idempotency, async () => {
      if (!this.#parts.outbox.discard(ns, n)) throw new NotFoundError(`Dead letter '${id}' does not exist for this API key`);
    });
  }
}

/** Comet's letters: its outbox, owned by each key's session. (A plain instance: the port's methods stay on one prototype.) */
export function cometDeadLetters(context: CometContext): OutboxDeadLetters<CometSession> {
  const { sessions, outbox, idempotency, writer } = context.parts;
  return new OutboxDeadLetters({ resolve: (caller) => sessions.resolve(caller), outbox, idempotency, writer });
}
