/** Resident memory of a process (Linux /proc), with its peak reset so one operation's peak can be measured. */
import { readFileSync, writeFileSync } from 'node:fs';

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

export const rssBytes = (pid: number): number => statusField(pid, 'VmRSS');
export const peakRssBytes = (pid: number): number => statusField(pid, 'VmHWM');

/** Resets the peak-RSS counter (`echo 5 > /proc/PID/clear_refs`); false where the kernel refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
