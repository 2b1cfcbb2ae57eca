// Visiting every string inside a record, e.g. to scan it. Paths are built only when asked for, because
// a transcript line holds thousands of strings and nearly all of them are uninteresting.

export interface StringVisit {
  text: string;
  /** The key holding the string, or its array index. */
  key: string | number;
  /** The path from the record root, e.g. `message.content[0].input.command`. */
  path(): string;
}

export interface WalkOptions {
  /** Return true to skip a property (and everything under it), e.g. base64 image data. */
  skip?(parent: Record<string, unknown>, key: string): boolean;
  /** Nesting deeper than this is not visited (guards the stack against pathological files). Default 64. */
  maxDepth?: number;
}

/** Calls `visit` for every string in `value`, depth first, in document order. */
export function walkStrings(value: unknown, visit: (entry: StringVisit) => void, options: WalkOptions = {}): void {
  const segments: (string | number)[] = [];
  const maxDepth = options.maxDepth ?? 64;
  const path = (): string =>
    segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
  const walk = (node: unknown, key: string | number, depth: number): void => {
    if (typeof node === 'string') {
      visit({ text: node, key, path });
      return;
    }
    if (typeof node !== 'object' || node === null || depth > maxDepth) return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        segments.push(i);
        walk(node[i], i, depth + 1);
        segments.pop();
      }
      return;
    }
    const object = node as Record<string, unknown>;
    for (const k of Object.keys(object)) {
      if (options.skip?.(object, k)) continue;
      segments.push(k);
      walk(object[k], k, depth + 1);
      segments.pop();
    }
  };
  walk(value, '', 0);
}
