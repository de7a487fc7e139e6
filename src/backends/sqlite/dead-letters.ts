/**
 * The dead-letters port on SQLite: there are none. The embedded store writes every call before it answers
 * (ACCEPTED or an error), so nothing is ever queued, and nothing queued can later be refused. The listing is
 * honestly empty, and no id names a letter.
 */
import { NotFoundError } from '../../errors';
import type * as Port from '../port';
import { checkPageSize } from '../port';

type Caller = Port.Caller;

export const SQLITE_DEAD_LETTERS_CAPABILITIES: Port.DeadLettersCapabilities = Object.freeze({ kept: false });

function noSuchLetter(id: string): NotFoundError {
  return new NotFoundError(`Dead letter '${id.slice(0, 64)}' does not exist: the embedded store never queues a write, so it keeps none`);
}

export class SqliteDeadLetters implements Port.DeadLettersPort {
  async list(_caller: Caller, page: Port.PageRequest): Promise<Port.Page<Port.DeadLetter>> {
    checkPageSize(page.first);
    return { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 };
  }

  async replay(_caller: Caller, id: string): Promise<never> {
    throw noSuchLetter(id);
  }

  async discard(_caller: Caller, id: string): Promise<never> {
    throw noSuchLetter(id);
  }
}
