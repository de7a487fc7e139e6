/**
 * Drains the WebSocket side when Apollo Server stops: queued events reach their sockets, then every socket
 * is closed with 1001 (Going Away), which graphql-ws clients answer by reconnecting, instead of the 1006
 * they would see if the HTTP drain cut the upgraded sockets first.
 *
 * Apollo runs all `drainServer` hooks at once, and the HTTP drain ends idle sockets (an upgraded socket is
 * one) after a single tick, so this hook alone cannot go first: `Gateway.stop()` also awaits the same
 * drain before `apollo.stop()`. The hook covers any other path to `apollo.stop()`.
 */
import type { ApolloServerPlugin } from '@apollo/server';

export function liveDrainPlugin<T extends object>(drain: () => Promise<void>): ApolloServerPlugin<T> {
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          await drain();
        },
      };
    },
  };
}
