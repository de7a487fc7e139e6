/** Dead letters of the caller's own API key: listed, replayed, discarded. */
import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { toConnection } from '../schema/connection.type';
import { DeadLetterConnection, DeadLetterInput, DiscardDeadLetterPayload, ReplayDeadLetterPayload } from '../schema/dead-letter.type';
import type { WriteStatusEnum } from '../schema/enums';
import { claimOf } from '../services/idempotency';
import * as v from '../services/validate';
import { PageArgs, pageRequest } from './args';
import type { RequestContext } from './context';

@Resolver()
export class DeadLetterResolver {
  @Query(() => DeadLetterConnection, {
    description: "Queued writes the backend's upstream refused for good, of the caller's own API key only, oldest first. " +
      'Always empty where `capabilities.deadLetters.kept` is false (the backend never queues).',
  })
  async deadLetters(@Args() page: PageArgs, @Ctx() ctx: RequestContext) {
    return toConnection(await ctx.backend.deadLetters.list(ctx.caller, pageRequest(page)));
  }

  @Mutation(() => ReplayDeadLetterPayload, { description: 'Queues a dead letter again; a new refusal is an error and the letter is kept.' })
  async replayDeadLetter(@Arg('input') input: DeadLetterInput, @Ctx() ctx: RequestContext) {
    const id = v.name(input.id, 'id');
    const status = await ctx.backend.deadLetters.replay(ctx.caller, id, { idempotency: claimOf('replayDeadLetter', input) });
    return { id, status: status as WriteStatusEnum };
  }

  @Mutation(() => DiscardDeadLetterPayload, { description: 'Forgets a dead letter for good.' })
  async discardDeadLetter(@Arg('input') input: DeadLetterInput, @Ctx() ctx: RequestContext) {
    const id = v.name(input.id, 'id');
    await ctx.backend.deadLetters.discard(ctx.caller, id, { idempotency: claimOf('discardDeadLetter', input) });
    return { discardedId: id };
  }
}
