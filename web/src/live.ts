/**
 * The live feed of one run over graphql-ws (`metricLogged` on `/graphql`). Loaded only by a run page whose
 * run is RUNNING, so other views never carry the WebSocket client.
 */
import { createClient } from 'graphql-ws/client';
import { apiKey } from './auth';

export interface LivePoint {
  step: number;
  value: number | null;
  /** The point's run context (null: the default one): each context is a series and a chart of its own. */
  context: string | null;
}

export interface LiveEvent {
  name: string;
  dropped: number;
  points: LivePoint[];
}

const METRIC_LOGGED = `subscription Live($key: String!) {
  metricLogged(experimentKey: $key) { name dropped points { step value context } }
}`;

/** Subscribes; returns a function that ends the subscription and closes the socket. */
export function watchRun(key: string, onEvent: (event: LiveEvent) => void, onError: (message: string) => void): () => void {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  const client = createClient({
    url,
    lazy: false,
    retryAttempts: 5,
    // Browsers cannot set headers on a WebSocket: the key goes in connectionParams (server/live-auth.ts).
    connectionParams: () => {
      const key = apiKey();
      return key ? { authorization: `Bearer ${key}` } : {};
    },
  });
  const stop = client.subscribe<{ metricLogged: LiveEvent }>({ query: METRIC_LOGGED, variables: { key } }, {
    next: (result) => {
      if (result.errors?.length) onError(result.errors[0].message);
      else if (result.data) onEvent(result.data.metricLogged);
    },
    error: (err) => onError(err instanceof Error ? err.message : 'The live feed closed'),
    complete: () => undefined,
  });
  return () => {
    stop();
    void client.dispose();
  };
}
