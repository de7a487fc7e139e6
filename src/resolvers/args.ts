/** Shared argument shapes and their limits. */
import { ArgsType, Field, Int } from 'type-graphql';
import type { PageRequest } from '../backends/port';
import { BadUserInputError } from '../errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `At most ${MAX_PAGE_SIZE}.` })
  first!: number;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of the previous page.' })
  after?: string | null;
}

export function pageRequest(args: PageArgs): PageRequest {
  return { first: checkedFirst(args.first, MAX_PAGE_SIZE), after: args.after ?? null };
}

export function checkedFirst(first: number, max: number, field = 'first'): number {
  if (first < 0 || first > max) throw new BadUserInputError(`${field} must be between 0 and ${max}, got ${first}`, { field });
  return first;
}

/** Unwraps a loader slot: an Error in it is thrown, so it reaches the client with its code. */
export function unwrap<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}
