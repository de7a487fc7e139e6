/**
 * A uPlot line chart (canvas: cheap for long series). Dragging across the plot, or the Zoom in button, asks
 * the parent for a step range instead of zooming locally: the parent fetches that range again at full
 * resolution (`history(afterStep, beforeStep, samples)`), and the chart shows what comes back.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
}

export interface ChartProps {
  /** Accessible name of the chart. */
  label: string;
  width: number;
  height?: number;
  /** `[steps, ...values per series]`, aligned on steps (null where a series has no point). */
  data: uPlot.AlignedData;
  series: ChartSeries[];
  /** The step range [min, max] the reader asked to see. */
  onZoom?: (min: number, max: number) => void;
  onReset?: () => void;
  zoomed?: boolean;
}

const DARK = '(prefers-color-scheme: dark)';

/** The system theme, so charts (drawn on canvas, outside CSS) are redrawn in its colours when it changes. */
function useDarkTheme(): boolean {
  return useSyncExternalStore(
    (listener) => {
      const query = window.matchMedia(DARK);
      query.addEventListener('change', listener);
      return () => query.removeEventListener('change', listener);
    },
    () => window.matchMedia(DARK).matches,
  );
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function Chart({ label, width, height = 220, data, series, onZoom, onReset, zoomed }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const seriesKey = series.map((s) => `${s.label}\u0000${s.color}`).join('\u0001');
  const dark = useDarkTheme();

  useEffect(() => {
    if (!host.current) return;
    const axis = cssVar('--muted');
    const grid = cssVar('--grid');
    const options: uPlot.Options = {
      width,
      height,
      scales: { x: { time: false } },
      legend: { show: series.length > 1 && series.length <= 8 },
      cursor: { drag: { x: true, y: false, setScale: false } },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 60 },
      ],
      series: [{ label: 'step' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: false } }))],
      hooks: {
        setSelect: [
          (u: uPlot) => {
            const { left, width: selected } = u.select;
            if (selected < 2) return;
            const min = Math.floor(u.posToVal(left, 'x'));
            const max = Math.ceil(u.posToVal(left + selected, 'x'));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (max > min) zoomRef.current?.(min, max);
          },
        ],
      },
    };
    const chart = new uPlot(options, data, host.current);
    plot.current = chart;
    return () => {
      chart.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its shape changes; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seriesKey, width, height, dark]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  const steps = data[0] as ArrayLike<number>;
  // The extremes drawn, for readers of the DOM (and tests): spikes must survive downsampling.
  let high = -Infinity;
  for (const values of data.slice(1) as ArrayLike<number | null | undefined>[]) {
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i];
      if (v != null && v > high) high = v;
    }
  }
  const zoomIn = () => {
    if (steps.length < 2) return;
    const first = steps[0];
    const last = steps[steps.length - 1];
    const quarter = (last - first) / 4;
    if (quarter >= 1) onZoom?.(Math.floor(first + quarter), Math.ceil(last - quarter));
  };

  return (
    <figure className="chart" role="group" aria-label={label}
      data-points={steps.length} data-first-step={steps.length ? steps[0] : ''} data-last-step={steps.length ? steps[steps.length - 1] : ''}
      data-max={Number.isFinite(high) ? high : ''}>
      <div ref={host} className="chart-plot" aria-hidden="true" />
      {(onZoom || onReset) && (
        <div className="chart-tools">
          {onZoom && <button type="button" onClick={zoomIn} disabled={steps.length < 2}>Zoom in</button>}
          {onReset && <button type="button" onClick={onReset} disabled={!zoomed}>Reset zoom</button>}
          <span className="hint">Drag across the chart to zoom into steps.</span>
        </div>
      )}
    </figure>
  );
}

/** Series colours that read on both themes (distinct hues at medium lightness). */
export const PALETTE = [
  '#3b82f6', '#ef4444', '#10b981', '#f59e0b', '#a855f7', '#ec4899', '#14b8a6', '#f97316', '#6366f1', '#84cc16',
];

export function colorOf(index: number): string {
  const base = PALETTE[index % PALETTE.length];
  if (index < PALETTE.length) return base;
  return `hsl(${(index * 47) % 360} 65% 55%)`;
}

/** Aligns several (steps, values) series on the union of their steps. */
export function alignSeries(series: { steps: number[]; values: (number | null)[] }[]): uPlot.AlignedData {
  if (series.length === 0) return [[]];
  return uPlot.join(series.map((s) => [s.steps, s.values] as uPlot.AlignedData));
}
