// @ts-check
// secrets: an offline audit of credentials that ended up in a transcript (pasted, printed by a command,
// read from a .env file…). Items never hold a secret: only its kind, where it is, a redacted preview, and
// its span with a digest, so `secrets redact` and the app's reveal can find it in the file again.
import { definePlugin, asObject, spanDigest, walkStrings } from 'session-inspector/plugin';
import { scanProperty, scanText } from './scan.js';

/**
 * span_start and span_end: the secret's text in the string at field_path, in UTF-16 code units; span_sha256:
 * spanDigest(location, that text).
 * @typedef {{
 *   kind: string, location: string, record_uuid: string | null, field_path: string, preview: string, line_no: number,
 *   span_start: number, span_end: number, span_sha256: string
 * }} SecretFinding
 */

/** First 4 and last 2 characters: enough to recognise which key it was, useless to anyone who reads it. */
function redact(/** @type {string} */ secret) {
  const chars = [...secret];
  return chars.length <= 6 ? '*'.repeat(chars.length) : `${chars.slice(0, 4).join('')}…${chars.slice(-2).join('')}`;
}

/**
 * Binary payloads: base64 image and document data, thinking-block signatures. Never text, and long
 * enough to make accidental pattern hits likely.
 * @param {Record<string, unknown>} parent
 * @param {string} key
 */
function isBinaryField(parent, key) {
  return key === 'signature' || (key === 'data' && parent.type === 'base64');
}

const DATA_URL = /^data:[\w/+.-]+;base64,/;

export default definePlugin({
  name: 'secrets',
  // 3: span_start, span_end and span_sha256, so a finding can be redacted and revealed.
  version: '3',
  // A 1 GB session takes about 40 s on a 2-core machine, more when it is busy: the default minute would fail it.
  timeoutMs: 600_000,
  view: {
    name: 'secret_findings',
    columns: {
      kind: 'VARCHAR',
      location: 'VARCHAR',
      record_uuid: 'VARCHAR',
      field_path: 'VARCHAR',
      preview: 'VARCHAR',
      line_no: 'BIGINT',
      span_start: 'INTEGER',
      span_end: 'INTEGER',
      span_sha256: 'VARCHAR',
    },
  },
  async processSession(session, ctx) {
    for await (const record of session.records()) {
      ctx.signal.throwIfAborted();
      const lineNo = session.lineNo;
      const uuid = asObject(record)?.uuid;
      const recordUuid = typeof uuid === 'string' && uuid !== '' ? uuid : null;
      // One finding per secret per line: Claude Code stores tool output twice (content and toolUseResult).
      /** @type {Set<string>} */
      const seen = new Set();
      walkStrings(
        record,
        (entry) => {
          // Shorter than any secret either scan accepts (12 characters): most strings (ids, types, names).
          if (entry.text.length < 12 || DATA_URL.test(entry.text)) return;
          const found = scanText(entry.text);
          const property = found.length === 0 ? scanProperty(entry.key, entry.text) : null;
          if (property) found.push(property);
          for (const { kind, secret, start, end } of found) {
            // By the text as found: a redaction replaces that text wherever it occurs in the line.
            const span = entry.text.slice(start, end);
            if (seen.has(span)) continue;
            seen.add(span);
            const path = entry.path();
            const location = `${recordUuid ?? `line ${lineNo}`}:${path}`;
            // Final when found: handed over at once, never all held.
            /** @type {SecretFinding} */
            const finding = {
              kind,
              location,
              record_uuid: recordUuid,
              field_path: path,
              preview: redact(secret),
              line_no: lineNo,
              span_start: start,
              span_end: end,
              span_sha256: spanDigest(location, span),
            };
            ctx.emit(finding);
          }
        },
        { skip: isBinaryField },
      );
    }
    return {};
  },
});
