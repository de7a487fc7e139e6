/**
 * A server runs as in production unless told otherwise: with NODE_ENV unset, it is set to `production` before
 * any library loads. graphql-js reads it once, at load, and in development mode checks every `instanceof` of
 * its type system the slow way (to explain duplicate graphql copies): a CPU profile of `logMetrics` showed
 * that check as a large share of input coercion. Our own behaviour never depends on NODE_ENV (introspection,
 * stack traces and the landing page are set explicitly), so this only trades a development diagnostic for
 * speed. Import this module first.
 */
process.env.NODE_ENV ??= 'production';

export {};
