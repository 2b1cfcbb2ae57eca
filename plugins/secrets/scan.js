// @ts-check
// Scanning one string for secrets: shaped credentials first, then secret-named assignments whose value
// is not already part of a shaped match (`ANTHROPIC_API_KEY=sk-ant-…` is one Anthropic key, not two findings).
import { DETECTORS, passes } from './detectors.js';
import { findAssignments, isSecretName, looksLikeSecretValue, assignmentKind } from './assignments.js';

/**
 * `secret` is what the finding is about (a private key's base64 body); [start, end) is the text it was
 * found as, in UTF-16 code units of the scanned string: the span a redaction replaces.
 * @typedef {{ kind: string, secret: string, start: number, end: number }} Finding
 */

/**
 * Each detector's pattern starts with one of its `prefixes` (literal, case-sensitive). One scan for all of
 * them tells which detectors can match at all, so a detector's own regex runs only on text holding its
 * prefix: running every detector over every string that mentions "key" or "token" was most of the cost.
 */
const PREFIXES = new RegExp(
  DETECTORS.flatMap((d) => d.prefixes)
    .map(escapeRegExp)
    .join('|'),
  'g',
);
/** Detector indexes by prefix. */
const BY_PREFIX = new Map();
DETECTORS.forEach((d, index) => {
  for (const prefix of d.prefixes) BY_PREFIX.set(prefix, [...(BY_PREFIX.get(prefix) ?? []), index]);
});

/**
 * @param {string} text
 * @returns {Finding[]}
 */
export function scanText(text) {
  if (text.length < 12) return [];
  /** @type {Finding[]} */
  const findings = [];
  /** @type {[number, number][]} */
  const claimed = [];
  const candidates = detectorsFor(text);
  for (let index = 0; index < DETECTORS.length; index++) {
    if (!candidates.has(index)) continue;
    const detector = DETECTORS[index];
    const { pattern } = detector;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      if (match[0] === '') {
        pattern.lastIndex++; // an empty match would loop forever
        continue;
      }
      const raw = detector.secretGroup === undefined ? match[0] : match[detector.secretGroup];
      if (raw === undefined || !passes(detector, raw)) continue;
      const start = match.index + match[0].indexOf(raw);
      claimed.push([start, start + raw.length]);
      findings.push({ kind: detector.kind, secret: detector.normalize ? detector.normalize(raw) : raw, start, end: start + raw.length });
    }
  }
  for (const found of findAssignments(text)) {
    if (claimed.some(([start, end]) => found.start < end && start < found.end)) continue;
    findings.push({ kind: found.kind, secret: found.secret, start: found.start, end: found.end });
  }
  return findings;
}

/**
 * A JSON property named like a secret (`"DB_PASSWORD": "…"`, `env.GITHUB_TOKEN`) whose whole value looks
 * like one. Values with a recognisable shape are left to scanText, which sees them anyway.
 * @param {string | number} key
 * @param {string} value
 * @returns {Finding | null}
 */
export function scanProperty(key, value) {
  if (typeof key !== 'string' || !isSecretName(key) || !looksLikeSecretValue(value)) return null;
  return { kind: assignmentKind(key, value), secret: value, start: 0, end: value.length };
}

/**
 * Indexes of the detectors whose prefix occurs in the text. Every occurrence start is tried (lastIndex
 * moves one past each match start), so a prefix overlapping another one's match is still seen.
 * @param {string} text
 * @returns {Set<number>}
 */
export function detectorsFor(text) {
  /** @type {Set<number>} */
  const found = new Set();
  PREFIXES.lastIndex = 0;
  for (let match = PREFIXES.exec(text); match !== null; match = PREFIXES.exec(text)) {
    for (const index of BY_PREFIX.get(match[0]) ?? []) found.add(index);
    if (found.size === DETECTORS.length) break;
    PREFIXES.lastIndex = match.index + 1;
  }
  return found;
}

function escapeRegExp(/** @type {string} */ text) {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
