/** A small, dependency-free SVG line chart (log or linear x), enough for scaling curves. */
import type { Chart } from './types';

const W = 720;
const H = 420;
const PAD = { left: 70, right: 170, top: 40, bottom: 50 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function esc(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
}

function ticks(min: number, max: number, count = 5): number[] {
  if (min === max) return [min];
  const step = (max - min) / count;
  return Array.from({ length: count + 1 }, (_, i) => min + i * step);
}

function fmt(value: number): string {
  if (Math.abs(value) >= 1000) return `${Math.round(value).toLocaleString('en-US')}`;
  if (Math.abs(value) >= 10) return value.toFixed(0);
  return value.toFixed(value === 0 ? 0 : 2);
}

export function renderChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const fx = (x: number) => (chart.logX ? Math.log10(x) : x);
  const xs = all.map((p) => fx(p.x));
  const ys = all.map((p) => p.y);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMax = Math.max(...ys, 0) * 1.1 || 1;
  const px = (x: number) => PAD.left + ((fx(x) - xMin) / (xMax - xMin || 1)) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - PAD.right / 2}" y="22" text-anchor="middle" font-size="15">${esc(chart.title)}</text>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="black"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="black"/>`,
  ];
  const xTicks = chart.logX ? [...new Set(all.map((p) => p.x))].sort((a, b) => a - b) : ticks(xMin, xMax);
  for (const t of xTicks) {
    parts.push(`<text x="${px(t)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(0, yMax)) {
    parts.push(`<line x1="${PAD.left}" y1="${py(t)}" x2="${W - PAD.right}" y2="${py(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${PAD.left - 8}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 12}" text-anchor="middle">${esc(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`);
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const sorted = [...s.points].sort((a, b) => a.x - b.x);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of sorted) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = PAD.top + 10 + i * 20;
    parts.push(`<rect x="${W - PAD.right + 12}" y="${ly - 8}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${W - PAD.right + 30}" y="${ly - 3}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
