/** Shared argument shapes and their limits. */
import { ArgsType, Field, Int } from 'type-graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, checkPageSize, type PageRequest } from '../backends/port';

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `At most ${MAX_PAGE_SIZE}.` })
  first!: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of the previous page.' })
  after?: string | null;
}

export function pageRequest(args: PageArgs): PageRequest {
  return { first: checkPageSize(args.first), after: args.after ?? null };
}

/** Unwraps a loader slot: an Error in it is thrown, so it reaches the client with its code. */
export function unwrap<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}
