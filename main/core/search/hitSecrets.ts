// Search snippets in the app never show a secret the secrets processor found: the transcript view masks
// them, and a search box must not be the way around it. The secret itself reaches the UI only on reveal.
import type { SecretSpanRow } from '../findings.js';
import { lineStartBefore } from '../lineIndex.js';
import { encodeJsonString } from '../redaction/jsonText.js';
import { locateSecret, secretTarget } from '../redaction/redactSession.js';
import { SessionFile, type SessionEntry } from '../sessionFile.js';
import type { SearchHit } from './searchQuery.js';

/** A piece of a secret this long at a snippet's edge (the rest cut off) is masked too. */
const MIN_EDGE_PIECE = 4;

/**
 * The hits with every secret found on their line replaced by its masked preview, in whatever form the
 * snippet holds it (as written, JSON-escaped as a tool call shows it, or cut at the snippet's edge). The
 * secret is located in the line's record as the transcript view does; hits on lines without a secret
 * finding are returned as they are, without reading anything.
 */
export async function maskHitSecrets(
  hits: SearchHit[],
  spans: SecretSpanRow[],
  entryOf: (sessionKey: string) => Promise<SessionEntry | null>,
): Promise<SearchHit[]> {
  const onLine = new Map<string, SecretSpanRow[]>();
  for (const span of spans) {
    const key = `${span.session_file}\0${span.line_no}`;
    onLine.set(key, [...(onLine.get(key) ?? []), span]);
  }
  const out: SearchHit[] = [];
  for (const hit of hits) {
    const secrets = onLine.get(`${hit.sessionKey}\0${hit.lineNo}`);
    if (!secrets) {
      out.push(hit);
      continue;
    }
    const record = await recordAt(await entryOf(hit.sessionKey), hit.lineNo);
    const forms: { text: string; preview: string }[] = [];
    for (const secret of secrets) {
      const located = record === undefined ? null : locateSecret(record, secretTarget(secret));
      if (located && 'value' in located)
        for (const text of new Set([located.value, encodeJsonString(located.value)])) forms.push({ text, preview: secret.preview });
    }
    // A secret that cannot be found again (the line changed) still may not show: the whole snippet is withheld.
    out.push(forms.length > 0 ? masked(hit, forms) : { ...hit, before: '', match: '[snippet withheld: this line holds a secret finding]', after: '' });
  }
  return out;
}

async function recordAt(entry: SessionEntry | null, lineNo: number): Promise<unknown> {
  if (!entry) return undefined;
  const file = await SessionFile.open(entry).catch(() => null);
  if (!file) return undefined;
  try {
    const from = await lineStartBefore(file, lineNo);
    for await (const batch of file.recordBatches({ from })) {
      const index = batch.lineNos[0].indexOf(lineNo);
      if (index !== -1) return batch.records[0][index];
      if (batch.lineNos[0].some((n) => n > lineNo)) return undefined;
    }
    return undefined;
  } finally {
    await file.close();
  }
}

/** Marks what each form covers in before+match+after, then writes each covered run as its preview. */
function masked(hit: SearchHit, forms: { text: string; preview: string }[]): SearchHit {
  const whole = hit.before + hit.match + hit.after;
  const cover: (string | null)[] = new Array(whole.length).fill(null);
  const mark = (start: number, end: number, preview: string) => {
    for (let i = Math.max(0, start); i < Math.min(whole.length, end); i++) cover[i] ??= preview;
  };
  for (const { text, preview } of forms) {
    for (let at = whole.indexOf(text); at !== -1; at = whole.indexOf(text, at + 1)) mark(at, at + text.length, preview);
    for (let k = Math.min(text.length - 1, whole.length); k >= MIN_EDGE_PIECE; k--) {
      if (whole.startsWith(text.slice(text.length - k))) {
        mark(0, k, preview);
        break;
      }
    }
    for (let k = Math.min(text.length - 1, whole.length); k >= MIN_EDGE_PIECE; k--) {
      if (whole.endsWith(text.slice(0, k))) {
        mark(whole.length - k, whole.length, preview);
        break;
      }
    }
  }
  const parts = ['', '', ''];
  const bounds = [hit.before.length, hit.before.length + hit.match.length];
  const partOf = (i: number) => (i < bounds[0] ? 0 : i < bounds[1] ? 1 : 2);
  for (let i = 0; i < whole.length; i++) {
    const preview = cover[i];
    if (preview === null) parts[partOf(i)] += whole[i];
    else if (i === 0 || cover[i - 1] !== preview) parts[partOf(i)] += preview; // a covered run is written once, where it starts
  }
  return { ...hit, before: parts[0], match: parts[1], after: parts[2] };
}
