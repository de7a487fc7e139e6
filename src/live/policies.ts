/** How each kind of event weighs against a subscriber's bound, and how it coalesces under backpressure. */
import type { ExperimentEvent, MetricEvent, ModelVersionEvent, PredictionBatchEvent } from './events';
import type { QueuePolicy } from './queue';

/**
 * Metric events weigh their points. Coalescing merges every waiting event of a metric into one carrying
 * only the newest point (the value a live chart needs most) and counting the others in `dropped`, so a
 * client knows to fill the gap from `history(afterStep: <last step it has>)`. Metrics keep the order of
 * their newest event.
 */
export const metricPolicy: QueuePolicy<MetricEvent> = {
  weight: (event) => event.points.length,
  coalesce(events) {
    const byName = new Map<string, MetricEvent>();
    let dropped = 0;
    for (const event of events) {
      const previous = byName.get(event.name);
      const newest = event.points.at(-1) ?? previous?.points.at(-1);
      if (!newest) continue;
      const removed = (previous?.points.length ?? 0) + event.points.length - 1;
      dropped += removed;
      byName.delete(event.name); // re-inserted last: the metric moves to its newest event's place
      byName.set(event.name, {
        experimentKey: event.experimentKey,
        name: event.name,
        points: [newest],
        dropped: (previous?.dropped ?? 0) + event.dropped + removed,
      });
    }
    return { items: [...byName.values()], dropped };
  },
};

/** Registry events, like experiment events, are few and each one matters. */
export const modelPolicy: QueuePolicy<ModelVersionEvent> = {
  weight: () => 1,
  coalesce: () => null,
};

/** Experiment events are few and each one matters: they weigh one and never coalesce. */
export const experimentPolicy: QueuePolicy<ExperimentEvent> = {
  weight: () => 1,
  coalesce: () => null,
};

/** Prediction batches weigh one; under backpressure the waiting ones merge into one (counts summed, range widened). */
export const predictionPolicy: QueuePolicy<PredictionBatchEvent> = {
  weight: () => 1,
  coalesce(events) {
    if (events.length === 0) return { items: [], dropped: 0 };
    const merged = events.reduce((a, b) => ({ ...a, count: a.count + b.count, from: Math.min(a.from, b.from), to: Math.max(a.to, b.to) }));
    return { items: [merged], dropped: 0 };
  },
};
