/** Dead letters: queued writes the backend's upstream refused for good, kept until replayed or discarded. */
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from './connection.type';
import { WriteStatusEnum } from './enums';
import { IdempotentInput } from './mutation.input';
import { DateTimeScalar } from './scalars';

@ObjectType({ description: "A write acknowledged QUEUED that the backend's upstream later refused for good. Kept, never dropped." })
export class DeadLetter {
  @Field(() => ID, { description: 'Stable while the letter is kept; a replay refused again keeps it under a new id.' })
  id!: string;

  @Field()
  experimentKey!: string;

  @Field({ description: 'What the request did: `metric`, `parameter`, `other`, `tags` or `start`.' })
  kind!: string;

  @Field(() => Int, { description: 'Values in the request (points, parameters, others or tags).' })
  size!: number;

  @Field({ description: 'The refusal, as the upstream gave it.' })
  reason!: string;

  @Field(() => DateTimeScalar, { description: 'When the write was queued.' })
  queuedAt!: number;

  @Field(() => DateTimeScalar, { description: 'When it was refused for good.' })
  failedAt!: number;
}

@ObjectType()
export class DeadLetterConnection extends Connection(DeadLetter, 'DeadLetter') {}

@InputType()
export class DeadLetterInput extends IdempotentInput {
  @Field(() => ID)
  id!: string;
}

@ObjectType()
export class ReplayDeadLetterPayload {
  @Field(() => ID, { description: 'The letter replayed (gone from the dead letters unless refused again).' })
  id!: string;

  @Field(() => WriteStatusEnum, { description: 'ACCEPTED: the upstream took it. QUEUED: back in the outbox, delivered when it can be.' })
  status!: WriteStatusEnum;
}

@ObjectType()
export class DiscardDeadLetterPayload {
  @Field(() => ID)
  discardedId!: string;
}
