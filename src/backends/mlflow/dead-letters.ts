/**
 * The dead-letters port on MLflow: there are none yet. Every write is delivered before it answers (ACCEPTED)
 * or fails with an error, so nothing is queued and nothing queued can later be refused.
 */
import { NotFoundError } from '../../errors';
import type * as Port from '../port';
import { checkPageSize } from '../port';

type Caller = Port.Caller;

export const MLFLOW_DEAD_LETTERS_CAPABILITIES: Port.DeadLettersCapabilities = Object.freeze({ kept: false });

function noSuchLetter(id: string): NotFoundError {
  return new NotFoundError(`Dead letter '${id.slice(0, 64)}' does not exist: the MLflow backend delivers every write before it answers, so it keeps none`);
}

export class MlflowDeadLetters implements Port.DeadLettersPort {
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
