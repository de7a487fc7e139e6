/**
 * JSON as Python writes it: `json.dumps(float('nan'))` gives a bare `NaN` (and `Infinity`, `-Infinity`), which
 * `JSON.parse` refuses. Those three tokens, outside strings, are read as the numbers they name; anything else
 * must be strict JSON. Strict bodies take the fast path (one `JSON.parse`); only a body that fails it is
 * scanned.
 */
import { randomUUID } from 'node:crypto';

export interface ParsedJson {
  value: unknown;
  /** True when a bare NaN/Infinity/-Infinity token was read: the value holds non-finite numbers. */
  nonFinite: boolean;
}

/** Stands for a token in the rewritten text; the nonce keeps a client's own strings from ever matching. */
const MARK = `@trackql-non-finite-${randomUUID()}:`;
const TOKENS: readonly (readonly [string, number])[] = [['-Infinity', -Infinity], ['Infinity', Infinity], ['NaN', NaN]];

/** Parses `text`; throws SyntaxError like JSON.parse when it is not JSON even with the three tokens. */
export function parseTolerantJson(text: string): ParsedJson {
  try {
    return { value: JSON.parse(text) as unknown, nonFinite: false };
  } catch (strictError) {
    const marked = markNonFinite(text);
    if (marked === null) throw strictError;
    const value = JSON.parse(marked, (_key, v: unknown) => {
      if (typeof v !== 'string' || !v.startsWith(MARK)) return v;
      return TOKENS.find(([token]) => token === v.slice(MARK.length))?.[1] ?? v;
    }) as unknown;
    return { value, nonFinite: true };
  }
}

/** The text with each bare token outside strings replaced by a marked string; null when there is none. */
function markNonFinite(text: string): string | null {
  let out = '';
  let from = 0;
  let found = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string, escapes included; an unterminated one is left for JSON.parse to refuse.
      for (i += 1; i < text.length && text.charCodeAt(i) !== 0x22; i += 1) if (text.charCodeAt(i) === 0x5c) i += 1;
      continue;
    }
    if (c !== 0x4e /* N */ && c !== 0x49 /* I */ && c !== 0x2d /* - */) continue;
    const token = TOKENS.find(([t]) => text.startsWith(t, i));
    if (!token) continue;
    out += `${text.slice(from, i)}"${MARK}${token[0]}"`;
    i += token[0].length - 1;
    from = i + 1;
    found = true;
  }
  return found ? out + text.slice(from) : null;
}
