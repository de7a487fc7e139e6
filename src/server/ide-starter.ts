/**
 * The query the IDE opens on (until the user has one of their own): it reads the demo data (`npm run demo`,
 * src/demo.ts), and its comment says what to try next. A test runs it in the IDE against the demo store.
 */
export const IDE_STARTER_QUERY = `# Welcome to TrackQL. This query reads the demo data
# (start the gateway with \`npm run demo\`). Run it with the
# pink button or Ctrl-Enter.
#
# Then try:
# - Docs (book icon, top left): every type and field.
#   Ctrl-Space completes names as you type.
# - Filter: add  filter: { tag: "baseline" }  after
#   first: 5  below.
# - A curve: copy a key from the answer, then run
#   { experiment(key: "KEY") { metric(name: "loss") {
#     history(samples: 50) { points { step value } } } } }
# - Live metrics: run
#   subscription { metricLogged(experimentKey: "KEY") {
#     name points { step value } } }
#   then log a point from a second browser window:
#   mutation { logMetrics(input: { experimentKey: "KEY",
#     points: [{ name: "loss", value: 0.05, step: 300 }] }) {
#     accepted } }
query BestRuns {
  project(workspace: "demo", name: "image-classification") {
    name
    experimentCount
    experiments(
      first: 5
      orderBy: [
        { field: METRIC, metric: "loss", aggregate: MIN }
      ]
    ) {
      nodes {
        key
        name
        status
        tags
        parameters { name value }
        metric(name: "loss") { last min }
      }
    }
  }
}
`;
