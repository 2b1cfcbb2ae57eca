// Bounding text stored in items: error messages and titles can be megabytes (a whole failed build log).

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never cutting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Each UTF-16 unit takes at least one byte, so the first maxBytes units hold every candidate prefix.
  const head = text.length > maxBytes ? text.slice(0, maxBytes) : text;
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= maxBytes && head.length === text.length) return text;
  if (bytes.length <= maxBytes) return head;
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back off to the start of the cut character
  return bytes.toString('utf8', 0, end);
}

/** Whitespace runs collapsed to one space, trimmed, and cut to `maxChars` with a trailing `…`. */
export function oneLine(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return flat;
  let cut = flat.slice(0, Math.max(0, maxChars - 1));
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // do not split a surrogate pair
  return `${cut.trimEnd()}…`;
}
