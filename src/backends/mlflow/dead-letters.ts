/**
 * The dead-letters port on MLflow: queued writes MLflow refused for good (a changed write-once parameter,
 * a run deleted meanwhile), kept in the outbox with MLflow's reason, as on Comet (comet/dead-letters.ts):
 * each set of credentials sees, replays and discards only its own.
 */
import { OutboxDeadLetters } from '../comet/dead-letters';
import type * as Port from '../port';
import type { MlflowContext } from './context';
import type { Credentials } from './credentials';

export const MLFLOW_DEAD_LETTERS_CAPABILITIES: Port.DeadLettersCapabilities = Object.freeze({ kept: true });

export function mlflowDeadLetters(context: MlflowContext): OutboxDeadLetters<Credentials> {
  const { credentials, outbox, idempotency, writer } = context.parts;
  return new OutboxDeadLetters({ resolve: (caller) => credentials.resolve(caller), outbox, idempotency, writer });
}
