// Replacing values inside the JSON strings of a raw JSON text, without parsing and serialising it again:
// a transcript line is kept byte for byte except where a secret sat (serialising it again could change
// numbers, key order or escapes, and no tool could tell a redaction from any other rewrite).

export interface Replacement {
  /** The decoded text to take out. */
  value: string;
  /** The decoded text to put in its place. */
  replacement: string;
}

/** How JSON.stringify writes `text` inside a string literal (what Claude Code's lines hold). */
export function encodeJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * `json` with every occurrence of each value, as JSON.stringify encodes it, replaced inside string
 * literals (keys included): only where a character starts, never inside an escape (`\n123…` holds no
 * `n123…`), never outside a string. Longer values win where two start at the same place. A value written
 * with other escapes than JSON.stringify's (`\u0041` for `A`) is not found: callers check the result.
 */
export function replaceInJsonText(json: string, replacements: readonly Replacement[]): { text: string; count: number } {
  const wanted = replacements
    .filter((r) => r.value !== '')
    .map((r) => ({ from: encodeJsonString(r.value), to: encodeJsonString(r.replacement) }))
    .sort((a, b) => b.from.length - a.from.length);
  const parts: string[] = [];
  let copied = 0;
  let count = 0;
  let at = 0; // everything before `at` has been walked
  let inString = false;
  /** Walks from `at` up to `target` (or past it, when `target` falls inside an escape), tracking strings. */
  const walkTo = (target: number): void => {
    while (at < target) {
      if (!inString) {
        const quote = json.indexOf('"', at);
        if (quote === -1 || quote >= target) {
          at = target;
          return;
        }
        at = quote + 1;
        inString = true;
        continue;
      }
      const quote = json.indexOf('"', at);
      const escape = json.indexOf('\\', at);
      const next = escape !== -1 && (quote === -1 || escape < quote) ? escape : quote;
      if (next === -1 || next >= target) {
        at = target;
        return;
      }
      if (next === escape) at = escape + (json.charCodeAt(escape + 1) === 0x75 /* u */ ? 6 : 2);
      else {
        at = quote + 1;
        inString = false;
      }
    }
  };
  const nextAt = wanted.map(() => -2); // per value: its next occurrence at or after `at`, -1 none, -2 not searched
  for (;;) {
    let best = -1;
    let which = -1;
    for (let k = 0; k < wanted.length; k++) {
      if (nextAt[k] === -2 || (nextAt[k] !== -1 && nextAt[k] < at)) nextAt[k] = json.indexOf(wanted[k].from, at);
      if (nextAt[k] !== -1 && (best === -1 || nextAt[k] < best)) {
        best = nextAt[k];
        which = k;
      }
    }
    if (best === -1) break;
    walkTo(best);
    if (at !== best || !inString) {
      // Inside an escape or outside any string: not an occurrence; search on from where the walk stopped.
      if (at === best) at++;
      continue;
    }
    parts.push(json.slice(copied, best), wanted[which].to);
    at = copied = best + wanted[which].from.length;
    count++;
  }
  if (count === 0) return { text: json, count };
  parts.push(json.slice(copied));
  return { text: parts.join(''), count };
}

/** Whether `needle` occurs in any string or key of a parsed JSON value (depth-first, no recursion limit needed: JSON.parse made it). */
export function occursIn(value: unknown, needle: string): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (node.includes(needle)) return true;
    } else if (Array.isArray(node)) {
      for (const child of node) stack.push(child);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key.includes(needle)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/** A parsed JSON value with each value replaced in its strings and keys (for items the store holds, which are ours to rewrite). */
export function replaceInValue(value: unknown, replacements: readonly Replacement[]): unknown {
  const ordered = [...replacements].filter((r) => r.value !== '').sort((a, b) => b.value.length - a.value.length);
  const text = (s: string) => ordered.reduce((out, r) => out.split(r.value).join(r.replacement), s);
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return text(node);
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([k, v]) => [text(k), walk(v)]));
    return node;
  };
  return walk(value);
}
