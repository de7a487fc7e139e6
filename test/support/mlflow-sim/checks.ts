/** Value rules shared by tracking and registry writes: key and value lengths (§4.3) and view types (§3). */
import { Limits, VIEW_TYPES, type LifecycleStage, type ViewType } from './constants';
import { invalid } from './errors';

export function checkKey(key: string, what: string): string {
  if (key === '') throw invalid(`Invalid ${what} key '': a key must not be empty`);
  if (key.length > Limits.KEY_MAX_CHARS) {
    throw invalid(`${what} key '${key.slice(0, 40)}...' had length ${key.length}, which exceeded length limit of ${Limits.KEY_MAX_CHARS}`);
  }
  return key;
}

function checkValue(value: string, limit: number, what: string, key: string): string {
  if (value.length > limit) {
    throw invalid(`${what} value '${value.slice(0, 40)}...' for key '${key}' had length ${value.length}, which exceeded length limit of ${limit}`);
  }
  return value;
}

export const checkTagValue = (key: string, value: string): string => checkValue(value, Limits.TAG_VALUE_MAX_CHARS, 'Tag', key);
export const checkParamValue = (key: string, value: string): string => checkValue(value, Limits.PARAM_VALUE_MAX_CHARS, 'Param', key);

/** Tags as sent (`[{key, value}]`) into a map, each checked; a later duplicate key wins. */
export function tagMap(tags: readonly { key: string; value?: string }[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of tags ?? []) out.set(checkKey(t.key, 'Tag'), checkTagValue(t.key, t.value ?? ''));
  return out;
}

/** `ACTIVE_ONLY` (the default), `DELETED_ONLY` or `ALL`. */
export function viewTypeOf(raw: string | undefined, field: string): ViewType {
  if (raw === undefined) return 'ACTIVE_ONLY';
  const v = VIEW_TYPES.find((t) => t === raw);
  if (v === undefined) throw invalid(`Invalid value '${raw}' for parameter '${field}': expected one of ${VIEW_TYPES.join(', ')}`);
  return v;
}

export function inView(stage: LifecycleStage, view: ViewType): boolean {
  return view === 'ALL' || (view === 'ACTIVE_ONLY') === (stage === 'active');
}
