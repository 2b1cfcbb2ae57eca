import { asObject, contentBlocks, isTextBlock, isToolResultBlock, isToolUseBlock, toolResultText } from '../sdk/index.js';
import type { SecretSpanRow } from '../core/findings.js';
import { lineStartBefore } from '../core/lineIndex.js';
import { encodeJsonString } from '../core/redaction/jsonText.js';
import { locateSecret, secretTarget } from '../core/redaction/redactSession.js';
import { SessionFile, type SessionEntry } from '../core/sessionFile.js';
import type { TranscriptEntry, TranscriptPage, TranscriptSecret } from './contract.js';

/**
 * An entry's text is sent whole up to this many characters (the UI shows the first few thousand and the
 * rest on "show all"); a longer one (a tool result can be hundreds of MB) is cut, saying how much is left.
 */
const MAX_TEXT = 1_000_000;
/** A page ends after this much text, even before `limit` entries, so a page of huge tool results stays small. */
const PAGE_TEXT = 4_000_000;

/**
 * A readable page of a transcript from `fromLine` (1-based, the file's line numbers as every processor
 * counts them): user and assistant turns, thinking, tool calls and results (the UI collapses them),
 * summaries and system lines, as plain text for the UI to render as text. It is read with the runner's
 * reader (SessionFile: the same lines, byte order mark, blank and malformed lines, line size limit), from
 * the closest remembered line start before `fromLine` (lineIndex.ts), and stops once the page is full.
 * The session's secret findings (`secrets`) are found again on their lines and shown as their masked
 * previews: the secret itself reaches the UI only through `secrets/reveal`. A session whose source is gone is
 * read from its archived copy, and the page says so.
 */
export async function readTranscript(session: SessionEntry, fromLine: number, limit: number, secrets: SecretSpanRow[] = []): Promise<TranscriptPage> {
  const secretsByLine = new Map<number, SecretSpanRow[]>();
  for (const s of secrets) secretsByLine.set(s.line_no, [...(secretsByLine.get(s.line_no) ?? []), s]);
  const entries: TranscriptEntry[] = [];
  let text = 0;
  const malformed = new Set<number>();
  let nextLine: number | null = null;
  const file = await SessionFile.open(session);
  try {
    const from = await lineStartBefore(file, fromLine);
    pages: for await (const batch of file.recordBatches({ from, onMalformed: (line) => malformed.add(line) })) {
      const [records] = batch.records;
      const [lineNos] = batch.lineNos;
      for (let i = 0; i < records.length; i++) {
        const line = lineNos[i];
        if (line < fromLine) continue;
        if (entries.length >= limit || text >= PAGE_TEXT) {
          nextLine = line;
          break pages;
        }
        const read = entriesOf(records[i], line);
        const onLine = secretsByLine.get(line);
        for (const entry of (onLine ? maskSecrets(read, records[i], onLine) : read).map(clip)) {
          entries.push(entry);
          text += entry.text.length;
        }
      }
    }
  } finally {
    await file.close();
  }
  // Malformed lines of the page: from its first line up to the next page's.
  const malformedLines = [...malformed].filter((line) => line >= fromLine && (nextLine === null || line < nextLine)).length;
  return { entries, nextLine, malformedLines, sourceDeleted: session.archived !== undefined };
}

function entriesOf(value: unknown, line: number): TranscriptEntry[] {
  const record = asObject(value);
  if (!record) return [entry(line, 'other', JSON.stringify(value), null)];
  const base = { timestamp: typeof record.timestamp === 'string' ? record.timestamp : null, sidechain: record.isSidechain === true };
  const type = typeof record.type === 'string' ? record.type : '(no type)';
  if (type === 'summary') return [{ ...entry(line, 'summary', String(record.summary ?? ''), null), ...base }];
  if (type === 'system')
    return [{ ...entry(line, 'system', String(record.content ?? record.subtype ?? ''), null), ...base, isError: record.level === 'error' }];
  if (type !== 'user' && type !== 'assistant') return [{ ...entry(line, 'other', type, null), ...base }];
  const out: TranscriptEntry[] = [];
  for (const block of contentBlocks(asObject(record.message))) {
    if (isTextBlock(block)) out.push({ ...entry(line, type, block.text, null), ...base });
    else if (block.type === 'thinking') out.push({ ...entry(line, 'thinking', String(block.thinking ?? ''), null), ...base });
    else if (isToolUseBlock(block)) out.push({ ...entry(line, 'tool_use', JSON.stringify(block.input ?? {}, null, 2), block.name), ...base });
    else if (isToolResultBlock(block)) out.push({ ...entry(line, 'tool_result', toolResultText(block), null), ...base, isError: block.is_error === true });
    else out.push({ ...entry(line, 'other', `[${block.type}]`, null), ...base });
  }
  return out;
}

function entry(line: number, kind: TranscriptEntry['kind'], text: string, toolName: string | null): TranscriptEntry {
  return { line, kind, text, toolName, isError: false, timestamp: null, sidechain: false };
}

/** The entry with its text cut at MAX_TEXT (before a masked secret that the cut would split), and the secrets before the cut. */
function clip(e: TranscriptEntry): TranscriptEntry {
  if (e.text.length <= MAX_TEXT) return e;
  const split = e.secrets?.find((s) => s.start < MAX_TEXT && s.end > MAX_TEXT);
  const cut = split ? split.start : MAX_TEXT;
  const secrets = e.secrets?.filter((s) => s.end <= cut);
  return { ...e, text: `${e.text.slice(0, cut)}… (${e.text.length - cut} more characters, in the file)`, ...(e.secrets ? { secrets } : {}) };
}

/**
 * Each secret of the line that is still where it was found, replaced in the entries' texts by its masked
 * preview, as it is written there: as is in text, JSON-escaped in a tool call's input (shown as JSON).
 */
function maskSecrets(entries: TranscriptEntry[], record: unknown, secrets: SecretSpanRow[]): TranscriptEntry[] {
  const forms: { text: string; secret: SecretSpanRow }[] = [];
  for (const secret of secrets) {
    const located = locateSecret(record, secretTarget(secret));
    if (!('value' in located)) continue;
    for (const text of new Set([located.value, encodeJsonString(located.value)])) forms.push({ text, secret });
  }
  if (forms.length === 0) return entries;
  forms.sort((a, b) => b.text.length - a.text.length); // the longer form first where two start at one place
  return entries.map((e) => {
    const parts: string[] = [];
    const spans: TranscriptSecret[] = [];
    let length = 0;
    let from = 0;
    for (;;) {
      let best: { at: number; form: (typeof forms)[number] } | null = null;
      for (const form of forms) {
        const at = e.text.indexOf(form.text, from);
        if (at !== -1 && (best === null || at < best.at)) best = { at, form };
      }
      if (best === null) break;
      const before = e.text.slice(from, best.at);
      parts.push(before, best.form.secret.preview);
      length += before.length;
      spans.push({ findingId: best.form.secret.id, kind: best.form.secret.kind, start: length, end: length + best.form.secret.preview.length });
      length += best.form.secret.preview.length;
      from = best.at + best.form.text.length;
    }
    if (spans.length === 0) return e;
    parts.push(e.text.slice(from));
    return { ...e, text: parts.join(''), secrets: spans };
  });
}
