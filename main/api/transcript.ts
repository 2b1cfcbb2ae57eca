import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asObject, contentBlocks, isTextBlock, isToolResultBlock, isToolUseBlock, toolResultText } from '../sdk/index.js';
import type { TranscriptEntry, TranscriptPage } from './contract.js';

/** Long texts are cut for the preview; the file itself is the full record. */
const MAX_TEXT = 4_000;

/**
 * A readable page of a transcript from `fromLine` (1-based): user and assistant turns, thinking, tool
 * calls and results (the UI collapses them), summaries and system lines. Streamed line by line; stops as
 * soon as the page is full. Everything is returned as plain text for the UI to render as text.
 */
export async function readTranscript(path: string, fromLine: number, limit: number): Promise<TranscriptPage> {
  const entries: TranscriptEntry[] = [];
  let line = 0;
  let malformedLines = 0;
  let nextLine: number | null = null;
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of lines) {
      line++;
      if (line < fromLine || !text.trim()) continue;
      if (entries.length >= limit) {
        nextLine = line;
        break;
      }
      let record: unknown;
      try {
        record = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch {
        malformedLines++;
        continue;
      }
      entries.push(...entriesOf(record, line));
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return { entries, nextLine, malformedLines };
}

function entriesOf(value: unknown, line: number): TranscriptEntry[] {
  const record = asObject(value);
  if (!record) return [entry(line, 'other', JSON.stringify(value), null)];
  const base = { timestamp: typeof record.timestamp === 'string' ? record.timestamp : null, sidechain: record.isSidechain === true };
  const type = typeof record.type === 'string' ? record.type : '(no type)';
  if (type === 'summary') return [{ ...entry(line, 'summary', String(record.summary ?? ''), null), ...base }];
  if (type === 'system') return [{ ...entry(line, 'system', String(record.content ?? record.subtype ?? ''), null), ...base, isError: record.level === 'error' }];
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
  return { line, kind, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text, toolName, isError: false, timestamp: null, sidechain: false };
}
