// Redacting secrets in one session file: each secret the secrets processor found is found again on its
// line (by its field path, span and digest: the store never holds the secret), replaced by
// `[REDACTED:<kind>]` inside its JSON string wherever it occurs on that line (Claude Code stores tool output
// twice), and the file is replaced atomically. The archive of session files redacts its copies through
// redactSession too (docs/findings.md): whatever holds a session's lines must be redacted the same way.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { spanDigest, stringAtPath } from '../../sdk/spans.js';
import type { SecretSpanRow } from '../findings.js';
import { MAX_LINE_BYTES } from '../sessionFile.js';
import { PendingFile, removeLeftovers, versionOf, type FileVersion } from './atomicFile.js';
import { occursIn, replaceInJsonText } from './jsonText.js';

/** Where a secret finding points (the columns of `secret_findings`); spans are null for findings of secrets before version 3. */
export interface SecretTarget {
  id: string;
  lineNo: number;
  kind: string;
  location: string;
  fieldPath: string | null;
  spanStart: number | null;
  spanEnd: number | null;
  spanSha256: string | null;
}

/** A stored secret finding as a target. */
export function secretTarget(r: SecretSpanRow): SecretTarget {
  return {
    id: r.id,
    lineNo: r.line_no,
    kind: r.kind,
    location: r.location,
    fieldPath: r.field_path,
    spanStart: r.span_start,
    spanEnd: r.span_end,
    spanSha256: r.span_sha256,
  };
}

export type Verdict = { id: string; ok: true } | { id: string; ok: false; reason: string };

const refused = (target: SecretTarget, reason: string): Verdict => ({ id: target.id, ok: false, reason });
const CHANGED = 'it changed since it was processed';

/** What replaces a secret: its kind stays readable, and `[` cannot start a secret any detector accepts, so a rescan finds nothing. */
export function redactionMark(kind: string): string {
  return `[REDACTED:${kind}]`;
}

/** A string longer than this (UTF-16 units) is not searched for a secret that moved: each position costs a digest. */
const MAX_SEARCHED = 1_000_000;
const CHUNK_BYTES = 1 << 20;
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * The secret a target points at in its parsed record, or why not. The span is tried where it was found,
 * then (an earlier redaction in the same string shifted it) anywhere in that string. Reasons never hold
 * the secret, nor text of the line.
 */
export function locateSecret(record: unknown, target: SecretTarget): { value: string } | { reason: string } {
  const { fieldPath, spanStart, spanEnd, spanSha256 } = target;
  if (fieldPath === null || spanStart === null || spanEnd === null || spanSha256 === null || spanEnd <= spanStart) {
    return { reason: 'found by an older secrets processor, which did not record where the secret sits: run `session-inspector run --processor secrets` first' };
  }
  const text = stringAtPath(record, fieldPath);
  const changed = { reason: `line ${target.lineNo} no longer holds the secret found there: ${CHANGED}; run the secrets processor again` };
  if (text === undefined) return changed;
  const length = spanEnd - spanStart;
  const at = text.slice(spanStart, spanEnd);
  if (at.length === length && spanDigest(target.location, at) === spanSha256) return { value: at };
  if (text.length > MAX_SEARCHED) return changed;
  for (let start = 0; start + length <= text.length; start++) {
    const candidate = text.slice(start, start + length);
    if (spanDigest(target.location, candidate) === spanSha256) return { value: candidate };
  }
  return changed;
}

/** One line's text as JSON.parse takes it: the first line without a byte-order mark. */
function parseLine(text: string): { ok: true; record: unknown } | { ok: false } {
  try {
    return { ok: true, record: JSON.parse(text) };
  } catch {
    // JSON.parse's message quotes the line (a secret with it): never passed on.
    return { ok: false };
  }
}

/** The verdicts on one line's targets, and its new text where any was redacted; `values` gets each secret taken out, by finding id. */
function redactLine(text: string, targets: SecretTarget[], values: Map<string, string>): { verdicts: Verdict[]; text: string | null } {
  const parsed = parseLine(text);
  if (!parsed.ok) return { verdicts: targets.map((t) => refused(t, `line ${t.lineNo} is not valid JSON now: ${CHANGED}`)), text: null };
  const verdicts: Verdict[] = [];
  let found: { target: SecretTarget; value: string }[] = [];
  for (const target of targets) {
    const located = locateSecret(parsed.record, target);
    if ('reason' in located) verdicts.push(refused(target, located.reason));
    else found.push({ target, value: located.value });
  }
  let result: { text: string; record: unknown } | null = null;
  // A secret that is still there after the replacement was written with escapes JSON.stringify does not
  // use: refused (the line is never serialised anew), and the others tried again without it.
  for (let attempt = 0; attempt < 2 && found.length > 0; attempt++) {
    const replaced = replaceInJsonText(
      text,
      found.map((f) => ({ value: f.value, replacement: redactionMark(f.target.kind) })),
    );
    const reparsed = parseLine(replaced.text);
    if (!reparsed.ok) {
      for (const f of found) verdicts.push(refused(f.target, `redacting line ${f.target.lineNo} would not leave valid JSON: not redacted`));
      found = [];
      break;
    }
    const left = found.filter((f) => occursIn(reparsed.record, f.value));
    if (left.length === 0) {
      result = { text: replaced.text, record: reparsed.record };
      break;
    }
    for (const f of left) {
      const why = 'also holds the secret written with unusual JSON escapes: it cannot be replaced in place, so it was not redacted';
      verdicts.push(refused(f.target, `line ${f.target.lineNo} ${why}`));
    }
    found = found.filter((f) => !left.includes(f));
  }
  if (!result) return { verdicts, text: null };
  for (const f of found) {
    verdicts.push({ id: f.target.id, ok: true });
    values.set(f.target.id, f.value);
  }
  return { verdicts, text: result.text };
}

/** A redaction worked out and, when writing, written beside the file: not yet in its place. */
export interface PreparedRedaction {
  verdicts: Verdict[];
  /** The secrets taken out, by finding id (in memory only: never logged, stored or put in a message). */
  values: Map<string, string>;
  /** The file as read, and MD5 of its content (what state rows that stand for it hold). */
  read: FileVersion;
  md5Before: string;
  /** MD5 of the redacted content; null when nothing is redacted. */
  md5After: string | null;
  /** Puts the redacted file in place (see PendingFile.commit); returns its version. Null when nothing is redacted. */
  commit: (() => FileVersion) | null;
  /** Removes what was written beside the file; harmless when there is nothing. */
  abort(): void;
}

export interface PrepareOptions {
  /** Write the redacted file beside the original (default: only work out the verdicts). */
  write?: boolean;
  /** Writes one buffer to the temp file (tests make it fail). */
  writeBuffer?: (fd: number, buffer: Buffer) => void;
}

/**
 * The copy of the session being made: every byte goes through `out`; the targeted lines are gathered whole,
 * redacted, then written. Lines are numbered as the runner numbers them ('\n'-separated).
 */
class RedactingCopy {
  readonly verdicts: Verdict[] = [];
  /** The secrets taken out, by finding id. */
  readonly values = new Map<string, string>();
  readonly md5After = createHash('md5');
  /** Lines redacted so far. */
  redacted = 0;
  private lineNo = 1;
  // The targeted line being gathered across chunks; one past MAX_LINE_BYTES is copied through instead (refused).
  private line: Buffer[] = [];
  private lineBytes = 0;
  private oversized = false;
  private readonly byLine: Map<number, SecretTarget[]>;
  private readonly pending: PendingFile | null;

  constructor(byLine: Map<number, SecretTarget[]>, pending: PendingFile | null) {
    this.byLine = byLine;
    this.pending = pending;
  }

  private out(buffer: Buffer): void {
    if (buffer.length === 0) return;
    this.md5After.update(buffer);
    this.pending?.append(buffer);
  }

  private take(part: Buffer): void {
    if (this.oversized) return this.out(part);
    this.lineBytes += part.length;
    if (this.lineBytes <= MAX_LINE_BYTES) return void this.line.push(part);
    this.oversized = true;
    for (const gathered of this.line) this.out(gathered);
    this.line = [];
    this.out(part);
  }

  private finishLine(newline: boolean): void {
    const lineNo = this.lineNo;
    const wanted = this.byLine.get(lineNo)!;
    if (this.oversized) this.verdicts.push(...wanted.map((t) => refused(t, `line ${lineNo} is longer than ${MAX_LINE_BYTES} bytes: not redacted`)));
    else {
      const whole = Buffer.concat(this.line);
      const bom = lineNo === 1 && whole.length >= 3 && whole[0] === 0xef && whole[1] === 0xbb && whole[2] === 0xbf ? 3 : 0;
      const done = redactLine(whole.toString('utf8', bom), wanted, this.values);
      this.verdicts.push(...done.verdicts);
      if (done.text === null) this.out(whole);
      else {
        this.redacted++;
        this.out(whole.subarray(0, bom));
        this.out(Buffer.from(done.text, 'utf8'));
      }
    }
    if (newline) this.out(NEWLINE);
    this.line = [];
    this.lineBytes = 0;
    this.oversized = false;
  }

  /** Copies the next chunk of the file, redacting the targeted lines that end in it and gathering one that does not. */
  feed(bytes: Buffer): void {
    let start = 0; // where the current line starts in this chunk
    let copyFrom = 0; // bytes before this are written (or gathered)
    for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, start)) {
      if (this.byLine.has(this.lineNo)) {
        this.out(bytes.subarray(copyFrom, start));
        this.take(bytes.subarray(start, newline));
        this.finishLine(true);
        copyFrom = newline + 1;
      }
      start = newline + 1;
      this.lineNo++;
    }
    if (this.byLine.has(this.lineNo)) {
      this.out(bytes.subarray(copyFrom, start));
      this.take(bytes.subarray(start));
    } else this.out(bytes.subarray(copyFrom));
  }

  /** After the last chunk: the last line, and a verdict for every target past the end of the file. */
  end(targets: SecretTarget[]): void {
    // The last line, without a '\n' (a live append may be cut off: then it is not valid JSON, and refused).
    if (this.byLine.has(this.lineNo) && (this.lineBytes > 0 || this.oversized)) this.finishLine(false);
    for (const t of targets) {
      if (!this.verdicts.some((v) => v.id === t.id)) this.verdicts.push(refused(t, `line ${t.lineNo} is past the end of the file: ${CHANGED}`));
    }
  }
}

/**
 * Reads the session once, line by line as the runner numbers them ('\n'-separated, a first-line BOM not
 * part of the JSON), redacting the targets' lines and copying every other byte as it is.
 */
export function prepareRedaction(path: string, targets: SecretTarget[], options: PrepareOptions = {}): PreparedRedaction {
  const byLine = new Map<number, SecretTarget[]>();
  for (const t of targets) byLine.set(t.lineNo, [...(byLine.get(t.lineNo) ?? []), t]);
  const md5Before = createHash('md5');
  let pending: PendingFile | null = null;
  if (options.write) removeLeftovers(path);
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
    const read = versionOf(stats);
    if (options.write) pending = new PendingFile(path, options.writeBuffer);
    const copy = new RedactingCopy(byLine, pending);
    for (let position = 0; position < read.size;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, read.size - position));
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break; // truncated since it was opened: the commit refuses a file that changed
      position += n;
      const bytes = n === chunk.length ? chunk : chunk.subarray(0, n);
      md5Before.update(bytes);
      copy.feed(bytes);
    }
    copy.end(targets);
    const file = pending;
    const { verdicts, values, redacted } = copy;
    const result: PreparedRedaction = {
      verdicts,
      values,
      read,
      md5Before: md5Before.digest('hex'),
      md5After: redacted > 0 ? copy.md5After.digest('hex') : null,
      commit: redacted > 0 && file ? () => file.commit(read) : null,
      abort: () => file?.abort(),
    };
    if (redacted === 0) result.abort();
    return result;
  } catch (error) {
    pending?.abort();
    throw error;
  } finally {
    closeSync(fd);
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * Redacts one session file (or a copy of it: the archive's) in one go: with `apply`, the redacted file
 * replaces it atomically, keeping its mode; without, only the verdicts are worked out and nothing is written.
 */
export function redactSession(
  path: string,
  targets: SecretTarget[],
  options: { apply: boolean; writeBuffer?: PrepareOptions['writeBuffer'] },
): { verdicts: Verdict[]; written: FileVersion | null } {
  const prepared = prepareRedaction(path, targets, { write: options.apply, writeBuffer: options.writeBuffer });
  const written = prepared.commit ? prepared.commit() : null;
  return { verdicts: prepared.verdicts, written };
}

/** The secret a target points at, read from its line on demand (the app's reveal), or why it is not there. */
export function readSecret(path: string, target: SecretTarget): { value: string } | { reason: string } {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const size = fstatSync(fd).size;
    let lineNo = 1;
    const line: Buffer[] = [];
    let lineBytes = 0;
    for (let position = 0; position < size && lineNo <= target.lineNo;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      position += n;
      let start = 0;
      for (let newline = chunk.indexOf(10); newline !== -1 && newline < n; newline = chunk.indexOf(10, start)) {
        if (lineNo === target.lineNo) {
          line.push(chunk.subarray(start, newline));
          return locateInLine(Buffer.concat(line), target);
        }
        start = newline + 1;
        lineNo++;
      }
      if (lineNo === target.lineNo && start < n) {
        lineBytes += n - start;
        if (lineBytes > MAX_LINE_BYTES) return { reason: `line ${target.lineNo} is longer than ${MAX_LINE_BYTES} bytes` };
        line.push(chunk.subarray(start, n));
      }
    }
    if (lineNo === target.lineNo && line.length > 0) return locateInLine(Buffer.concat(line), target);
    return { reason: `line ${target.lineNo} is past the end of the file: ${CHANGED}` };
  } finally {
    closeSync(fd);
  }
}

function locateInLine(bytes: Buffer, target: SecretTarget): { value: string } | { reason: string } {
  const bom = target.lineNo === 1 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const parsed = parseLine(bytes.toString('utf8', bom));
  if (!parsed.ok) return { reason: `line ${target.lineNo} is not valid JSON now: ${CHANGED}` };
  return locateSecret(parsed.record, target);
}
