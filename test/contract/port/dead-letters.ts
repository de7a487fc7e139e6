/**
 * Contract: dead letters. Every backend lists a caller's own letters (none for a caller whose writes were all
 * taken) and names no letter it does not keep; making one needs an upstream that refuses a queued write, so
 * that is tested on Comet over its simulator (test/integration/comet/dead-letters.test.ts).
 */
import type { Capabilities } from '../../../src/backends/port';
import { CALLER, expectCode, newExperiment, uniqueProject, type GetBackend } from './support';

export function describeDeadLetters(backend: GetBackend, capabilities: Capabilities): void {
  describe('dead letters', () => {
    it('lists none while every write was taken, and finds no letter to replay or discard', async () => {
      const { key } = await newExperiment(backend(), uniqueProject());
      expect(await backend().metrics.log(CALLER, key, [{ name: 'loss', value: 1, step: 0 }])).toBe('ACCEPTED');
      expect(await backend().deadLetters.list(CALLER, { first: 10 })).toEqual({ items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: 0 });
      await expectCode(backend().deadLetters.replay(CALLER, '1'), 'NOT_FOUND');
      await expectCode(backend().deadLetters.discard(CALLER, '1'), 'NOT_FOUND');
      await expectCode(backend().deadLetters.replay(CALLER, 'not-an-id'), 'NOT_FOUND');
    });

    it(`reports whether it keeps them (${capabilities.backend}: ${capabilities.deadLetters.kept})`, () => {
      // A backend that queues must keep what its upstream refuses; one that never queues keeps nothing.
      expect(backend().capabilities().deadLetters.kept).toBe(backend().pendingWrites !== undefined);
    });
  });
}
