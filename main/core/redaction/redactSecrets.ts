// `secrets redact` and the app's redact buttons: which secret findings to redact, which sessions may be
// touched now, and each session redacted on disk and in the store together (docs/findings.md).
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { MTIME_SLACK_MS } from '../dueRule.js';
import { errorMessage, UsageError } from '../errors.js';
import { listSecretSpans, type SecretSpanRow } from '../findings.js';
import type { SessionEntry } from '../sessionFile.js';
import type { Database } from '../store/database.js';
import { THIS_HOST } from '../store/outcomeBatch.js';
import { sameVersion, versionOf, type FileVersion } from './atomicFile.js';
import { claimedBy, recordRedaction, redactedIds, settleReadTime } from './redactionStore.js';
import { prepareRedaction, redactionMark, secretTarget, type Verdict } from './redactSession.js';

/** Claude Code appends to a session while it runs: a file written this recently may be written again any moment. */
export const RECENT_WRITE_MS = 10 * 60_000;

/** Which findings: those of some sessions, some findings by id, or every secret finding. Exactly one. */
export interface RedactSelection {
  sessions?: string[];
  findings?: string[];
  all?: boolean;
}

export interface RedactOptions {
  /** Change the files (otherwise only say what would change). */
  apply: boolean;
  /** Redact sessions written to in the last RECENT_WRITE_MS too. */
  force?: boolean;
  /** What asked: `cli` or `app` (recorded in the audit). */
  via: string;
  /** Who asked (recorded in the audit); default the user and host name. */
  by?: string;
  now?: () => number;
}

export type RedactOutcome = 'redacted' | 'would-redact' | 'refused' | 'skipped';

/** One finding's fate: never the secret, only its redacted preview. */
export interface RedactionRow {
  finding_id: string;
  session_file: string;
  line_no: number;
  kind: string;
  preview: string;
  outcome: RedactOutcome;
  /** Why it was refused or skipped (or what went wrong after it was redacted); null when all went well. */
  reason: string | null;
  /** Refused only because its session was written to recently: forcing redacts it. */
  forceable: boolean;
}

export interface RedactReport {
  applied: boolean;
  rows: RedactionRow[];
  /** Items of any processor that held a redacted secret, rewritten. */
  items: number;
}

export function whoAmI(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `${user}@${THIS_HOST}`;
}

/** The findings the selection names, checked: an unknown session or id is refused by name before anything happens. */
async function selectFindings(
  db: Database,
  sessions: Map<string, SessionEntry>,
  selection: RedactSelection,
): Promise<{ rows: SecretSpanRow[]; explicit: boolean }> {
  const flags = [selection.sessions?.length ? '--session' : null, selection.findings?.length ? '--finding' : null, selection.all ? '--all' : null];
  const given = flags.filter((x) => x !== null);
  if (given.length !== 1) {
    const both = given.length > 1 ? ` (not ${given.join(' and ')})` : '';
    throw new UsageError(`secrets redact needs exactly one of --session KEY..., --finding ID... or --all${both}`);
  }
  if (selection.all) return { rows: await listSecretSpans(db, null), explicit: false };
  if (selection.sessions?.length) {
    const keys = [...new Set(selection.sessions)];
    const rows = await listSecretSpans(db, keys);
    const unknown = keys.filter((key) => !sessions.has(key) && !rows.some((r) => r.session_file === key));
    if (unknown.length > 0) {
      throw new UsageError(
        `--session ${unknown.join(', ')}: no such session in the session folder, and no secret found in it ` +
          '(see `session-inspector findings list --kind secret`)',
      );
    }
    return { rows, explicit: false };
  }
  const ids = [...new Set(selection.findings)];
  const rows = (await listSecretSpans(db, null)).filter((r) => ids.includes(r.id));
  const unknown = ids.filter((id) => !rows.some((r) => r.id === id));
  if (unknown.length > 0) {
    throw new UsageError(`--finding ${unknown.join(', ')}: no secret finding has this id (see \`session-inspector findings list --kind secret --all\`)`);
  }
  return { rows, explicit: true };
}

/**
 * Redacts the selected secret findings (dry run unless `apply`). A session written to in the last 10
 * minutes, held by a runner, or gone is refused, as is a finding whose line changed since it was
 * processed; each refusal names the session or line. Findings marked false-positive are skipped unless
 * named by id; those already redacted are skipped.
 */
export async function redactSecrets(db: Database, scanned: SessionEntry[], selection: RedactSelection, options: RedactOptions): Promise<RedactReport> {
  const sessions = new Map(scanned.map((s) => [s.sessionKey, s]));
  const { rows, explicit } = await selectFindings(db, sessions, selection);
  const done = await redactedIds(db, [...new Set(rows.map((r) => r.session_file))]);
  const report: RedactReport = { applied: options.apply, rows: [], items: 0 };
  const row = (r: SecretSpanRow, outcome: RedactOutcome, reason: string | null, forceable = false): RedactionRow => ({
    finding_id: r.id,
    session_file: r.session_file,
    line_no: r.line_no,
    kind: r.kind,
    preview: r.preview,
    outcome,
    reason,
    forceable,
  });
  const bySession = new Map<string, SecretSpanRow[]>();
  for (const r of rows) {
    if (done.has(r.id)) report.rows.push(row(r, 'skipped', 'already redacted'));
    else if (r.status === 'false-positive' && !explicit) {
      report.rows.push(row(r, 'skipped', 'marked false-positive (name it with --finding to redact it anyway)'));
    } else bySession.set(r.session_file, [...(bySession.get(r.session_file) ?? []), r]);
  }
  const now = options.now ?? Date.now;
  for (const [key, found] of [...bySession].sort(([a], [b]) => a.localeCompare(b))) {
    const refuse = (reason: string, forceable = false) => report.rows.push(...found.map((r) => row(r, 'refused', reason, forceable)));
    const entry = sessions.get(key);
    if (!entry) {
      refuse(`${key}: the session file is gone from the session folder`);
      continue;
    }
    const age = now() - entry.mtimeMs;
    if (!options.force && age < RECENT_WRITE_MS) {
      const ago = age < 60_000 ? 'less than a minute' : `${Math.floor(age / 60_000)} minute(s)`;
      refuse(`${key} was written to ${ago} ago: Claude Code may still be appending to it; redact it later, or force it (--force)`, true);
      continue;
    }
    const holders = await claimedBy(db, key);
    if (holders.length > 0) {
      refuse(`${key} is being processed by a runner (${holders.join(', ')}): try again when it is done`);
      continue;
    }
    try {
      const outcome = await redactOne(db, entry, found, options);
      report.items += outcome.items;
      report.rows.push(
        ...found.map((r) => {
          const verdict = outcome.verdicts.find((v) => v.id === r.id);
          if (!verdict?.ok) return row(r, 'refused', verdict && !verdict.ok ? verdict.reason : 'not found on its line');
          return row(r, options.apply ? 'redacted' : 'would-redact', outcome.warning);
        }),
      );
    } catch (error) {
      refuse(`${key}: ${errorMessage(error)}`);
    }
  }
  const order = new Map(rows.map((r, i) => [r.id, i]));
  report.rows.sort((a, b) => order.get(a.finding_id)! - order.get(b.finding_id)!);
  return report;
}

/** One session: verdicts only (dry run), or the file replaced and the store updated in one transaction. */
async function redactOne(
  db: Database,
  entry: SessionEntry,
  found: SecretSpanRow[],
  options: RedactOptions,
): Promise<{ verdicts: Verdict[]; items: number; warning: string | null }> {
  const targets = found.map(secretTarget);
  const prepared = prepareRedaction(entry.path, targets, { write: options.apply });
  if (!options.apply || !prepared.commit) {
    prepared.abort();
    return { verdicts: prepared.verdicts, items: 0, warning: null };
  }
  const commit = prepared.commit;
  const redacted = found.filter((r) => prepared.verdicts.some((v) => v.id === r.id && v.ok));
  const marks = new Map(redacted.map((r) => [r.id, redactionMark(r.kind)]));
  let written: FileVersion | null = null;
  try {
    const items = await db.transaction(async (c) => {
      // Taken before the file is replaced: no later than its last write, so the due rule hashes it once
      // (and skips it) if settling below does not get to a later time.
      const readAt = new Date();
      const recorded = await recordRedaction(c, {
        session: entry.sessionKey,
        findings: redacted.map((r) => ({ id: r.id, lineNo: r.line_no, kind: r.kind, note: r.note })),
        replacements: redacted.map((r) => ({ value: prepared.values.get(r.id)!, replacement: marks.get(r.id)! })),
        md5Before: prepared.md5Before,
        md5After: prepared.md5After!,
        readAt,
        by: options.by ?? whoAmI(),
        via: options.via,
      });
      written = commit();
      const settled = await settledReadTime(entry.path, written);
      if (settled) await settleReadTime(c, entry.sessionKey, prepared.md5After!, settled);
      return recorded.items;
    });
    return { verdicts: prepared.verdicts, items, warning: null };
  } catch (error) {
    prepared.abort();
    if (written === null) throw error;
    // The file is redacted; the store is as it was: the next run processes the session again (and finds nothing).
    const warning = `redacted, but the store could not record it (${errorMessage(error)}): the next run processes the session again`;
    return { verdicts: prepared.verdicts, items: 0, warning };
  }
}

/**
 * A read time for the redacted file once its last write is more than the due rule's slack ago and it is
 * still the file written (nothing appended meanwhile); null when it changed (the next run then reads it).
 */
async function settledReadTime(path: string, written: FileVersion): Promise<Date | null> {
  const wait = written.mtimeMs + MTIME_SLACK_MS + 1 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 1000)));
  const at = new Date();
  if (at.getTime() <= written.mtimeMs + MTIME_SLACK_MS) return null;
  try {
    return sameVersion(versionOf(statSync(path)), written) ? at : null;
  } catch {
    return null;
  }
}
