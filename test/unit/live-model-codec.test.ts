/** Registry events on Redis: a model version event survives the envelope's round trip, and a malformed one is refused. */
import { decodeEnvelope, encodeEnvelope } from '../../src/live/codec';
import type { ModelVersionEvent } from '../../src/live/events';

const event: ModelVersionEvent = {
  kind: 'UPDATED',
  version: {
    id: 'v1', workspace: 'ml', modelName: 'clf', version: '1.2.0', stage: 'production', status: null, tags: ['a'], aliases: ['champion'],
    comment: null, createdAt: 1700000000000, experimentKey: 'k1', experimentModelName: 'm',
  },
  addedAliases: ['champion'],
  removedAliases: [],
};

describe('model version events on the Redis envelope', () => {
  it('round-trips', () => {
    expect(decodeEnvelope(encodeEnvelope({ origin: 'r1', message: { kind: 'model', event } }))).toEqual({ origin: 'r1', message: { kind: 'model', event } });
  });

  it('refuses an unknown kind or a version without its fields', () => {
    const wire = (e: unknown) => JSON.stringify({ v: 1, origin: 'r', message: { kind: 'model', event: e } });
    expect(() => decodeEnvelope(wire({ ...event, kind: 'DELETED' }))).toThrow(/not a model version event kind/);
    expect(() => decodeEnvelope(wire({ ...event, version: { ...event.version, aliases: 'champion' } }))).toThrow(/aliases must be a list of strings/);
  });
});
