/**
 * The charts of one run. Each starts from the downsampled history of the run query (`samples` = the chart's
 * width in pixels: one point per pixel, min and max per bucket kept, so spikes show). Zooming fetches that
 * step range again at the same resolution; while the run is RUNNING, `metricLogged` appends new points live.
 * One chart per series: a metric logged in several contexts (`train`, `validate`) has a chart for each.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { gql } from '../api';
import { Chart, colorOf } from '../chart/Chart';
import { formatNumber, type NonFinite } from '../format';
import type { LiveEvent } from '../live';

export interface MetricData {
  name: string;
  /** The series' run context; null for the default one. */
  context: string | null;
  last: number | null;
  lastNonFinite: NonFinite | null;
  min: number | null;
  minNonFinite: NonFinite | null;
  max: number | null;
  maxNonFinite: NonFinite | null;
  count: number | null;
  lastStep: number | null;
  history: { sampled: boolean; totalCount: number; points: { step: number | null; value: number | null }[] };
}

interface Series {
  steps: number[];
  values: (number | null)[];
}

interface PanelState {
  overview: Series;
  zoom: { min: number; max: number; series: Series } | null;
  /** Live points since the page loaded. */
  liveCount: number;
  last: number | null;
  lastStep: number | null;
  error: string | null;
}

const ZOOM_QUERY = `query DashboardZoom($key: String!, $name: String!, $context: String, $after: SafeInt, $before: SafeInt, $samples: Int!) {
  experiment(key: $key) { metric(name: $name, context: $context) { history(afterStep: $after, beforeStep: $before, samples: $samples) { sampled totalCount points { step value } } } }
}`;

/** A series' panel id and title: the metric's name, with its context when it has one. */
export function seriesId(name: string, context: string | null | undefined): string {
  return context ? `${name} · ${context}` : name;
}

/** A chart's x axis is the step: points logged without one (Comet allows it) have no place on it. */
function stepped<P extends { step: number | null }>(points: readonly P[]): (P & { step: number })[] {
  return points.filter((p): p is P & { step: number } => p.step !== null);
}

function toSeries(all: { step: number | null; value: number | null }[]): Series {
  const points = stepped(all);
  return { steps: points.map((p) => p.step), values: points.map((p) => p.value) };
}

function appendPoints(series: Series, points: { step: number; value: number | null }[]): Series {
  const merged = series.steps.map((step, i) => ({ step, value: series.values[i] }));
  const lastStep = merged.length ? merged[merged.length - 1].step : -Infinity;
  merged.push(...points);
  if (points.some((p) => p.step < lastStep)) merged.sort((a, b) => a.step - b.step);
  return toSeries(merged);
}

function initial(metrics: MetricData[]): Record<string, PanelState> {
  return Object.fromEntries(metrics.map((m) => [seriesId(m.name, m.context), {
    overview: toSeries(m.history.points), zoom: null, liveCount: 0, last: m.last, lastStep: m.lastStep, error: null,
  }]));
}

export function RunCharts({ runKey, metrics, width, live }: { runKey: string; metrics: MetricData[]; width: number; live: boolean }) {
  const [panels, setPanels] = useState(() => initial(metrics));
  const [liveState, setLiveState] = useState<'off' | 'on' | string>('off');
  const update = (name: string, change: (p: PanelState) => PanelState) =>
    setPanels((all) => (all[name] ? { ...all, [name]: change(all[name]) } : all));

  useEffect(() => {
    if (!live) return;
    let stop: (() => void) | null = null;
    let cancelled = false;
    const onEvent = (event: LiveEvent) => setPanels((all) => {
      // An event holds one metric's new points, of any context: each goes to its series' panel.
      const next = { ...all };
      for (const point of event.points) {
        const id = seriesId(event.name, point.context);
        const panel: PanelState = next[id] ?? { overview: { steps: [], values: [] }, zoom: null, liveCount: 0, last: null, lastStep: null, error: null };
        next[id] = {
          ...panel, overview: appendPoints(panel.overview, [point]), liveCount: panel.liveCount + 1, last: point.value, lastStep: point.step,
        };
      }
      return next;
    });
    void import('../live').then(({ watchRun }) => {
      if (cancelled) return;
      stop = watchRun(runKey, onEvent, (message) => setLiveState(message));
      setLiveState('on');
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [live, runKey]);

  const zoom = useCallback((id: string, name: string, context: string | null, min: number, max: number) => {
    // Step bounds are exclusive in the schema: widen by one on each side to include both ends. The default
    // context is named ("") so a metric logged only in contexts does not zoom into another series.
    gql<{ experiment: { metric: { history: MetricData['history'] } | null } | null }>(ZOOM_QUERY, {
      key: runKey, name, context: context ?? '', after: min > 0 ? min - 1 : null, before: max + 1, samples: Math.round(width),
    }).then(
      (data) => update(id, (p) => ({ ...p, error: null, zoom: { min, max, series: toSeries(data.experiment?.metric?.history.points ?? []) } })),
      (err: unknown) => update(id, (p) => ({ ...p, error: err instanceof Error ? err.message : String(err) })),
    );
  }, [runKey, width]);

  const ids = Object.keys(panels).sort();
  if (ids.length === 0) return <p className="muted">No metric logged yet.</p>;
  const seriesOf = (id: string) => metrics.find((m) => seriesId(m.name, m.context) === id);
  return (
    <>
      {live && (
        <p className="live" role="status">
          {liveState === 'on' ? <><span className="dot" aria-hidden="true" /> Live: new points appear as they are logged.</>
            : liveState === 'off' ? 'Connecting to the live feed…' : `Live feed stopped: ${liveState}`}
        </p>
      )}
      <div className="charts">
        {ids.map((id, i) => {
          const summary = seriesOf(id);
          // A series first seen live has no summary: its id is its name, in the default context.
          const name = summary?.name ?? id;
          const context = summary?.context ?? null;
          return (
            <MetricPanel key={id} id={id} name={name} context={context} color={colorOf(i)} width={width} panel={panels[id]} summary={summary}
              onZoom={(min, max) => zoom(id, name, context, min, max)} onReset={() => update(id, (p) => ({ ...p, zoom: null }))} />
          );
        })}
      </div>
    </>
  );
}

function MetricPanel({ id, name, context, color, width, panel, summary, onZoom, onReset }: {
  id: string; name: string; context: string | null; color: string; width: number; panel: PanelState; summary: MetricData | undefined;
  onZoom: (min: number, max: number) => void; onReset: () => void;
}) {
  const shown = panel.zoom?.series ?? panel.overview;
  const data = useMemo(() => [shown.steps, shown.values] as [number[], (number | null)[]], [shown]);
  const series = useMemo(() => [{ label: id, color }], [id, color]);
  const titleId = `chart-${id.replace(/[^\w-]/g, '_')}`;
  return (
    <section className="card chart-card" aria-labelledby={titleId} data-metric={name} data-context={context ?? ''}>
      <h3 id={titleId}>{id}</h3>
      <p className="small summary">
        last <strong data-field="last">{formatNumber(panel.last, panel.last === summary?.last ? summary?.lastNonFinite : null)}</strong>
        {panel.lastStep !== null && <> at step <span data-field="lastStep">{panel.lastStep}</span></>}
        {' '}· min {formatNumber(summary?.min, summary?.minNonFinite)} · max {formatNumber(summary?.max, summary?.maxNonFinite)}
        {summary?.count != null && <> · {summary.count + panel.liveCount} points</>}
        {panel.zoom && <> · steps {panel.zoom.min}–{panel.zoom.max}</>}
      </p>
      <Chart label={`${id} by step`} width={width} data={data} series={series} onZoom={onZoom} onReset={onReset} zoomed={panel.zoom !== null} />
      {panel.error && <p className="notice error" role="alert">{panel.error}</p>}
    </section>
  );
}
