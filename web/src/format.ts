/** How numbers, times and sizes read on every view (one place, so tests and views agree). */

export type NonFinite = 'NAN' | 'INFINITY' | 'NEGATIVE_INFINITY';

const NON_FINITE: Record<NonFinite, string> = { NAN: 'NaN', INFINITY: '∞', NEGATIVE_INFINITY: '−∞' };

/** Four significant digits; exponent form for very large or small magnitudes; '—' when absent. */
export function formatNumber(value: number | null | undefined, nonFinite?: NonFinite | null): string {
  if (nonFinite) return NON_FINITE[nonFinite];
  if (value === null || value === undefined) return '—';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** UTC, minute precision: the same text for every reader of a shared link. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** `1 version`, `2 versions`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
