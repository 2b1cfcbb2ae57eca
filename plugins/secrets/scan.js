// @ts-check
// Scanning one string for secrets: shaped credentials first, then secret-named assignments whose value
// is not already part of a shaped match (`ANTHROPIC_API_KEY=sk-ant-…` is one Anthropic key, not two findings).
import { DETECTORS, passes } from './detectors.js';
import { findAssignments, isSecretName, looksLikeSecretValue, assignmentKind } from './assignments.js';

/** @typedef {{ kind: string, secret: string }} Finding */

/** Cheap pre-check: most strings in a transcript contain none of these and skip the full scan. */
const HINT = /sk-|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|xox|xapp-|hooks\.slack|PRIVATE KEY|bearer|pass|pwd|secret|token|key|credential/i;

/**
 * @param {string} text
 * @returns {Finding[]}
 */
export function scanText(text) {
  if (text.length < 12 || !HINT.test(text)) return [];
  /** @type {Finding[]} */
  const findings = [];
  /** @type {[number, number][]} */
  const claimed = [];
  for (const detector of DETECTORS) {
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
      findings.push({ kind: detector.kind, secret: detector.normalize ? detector.normalize(raw) : raw });
    }
  }
  for (const found of findAssignments(text)) {
    if (claimed.some(([start, end]) => found.start < end && start < found.end)) continue;
    findings.push({ kind: found.kind, secret: found.secret });
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
  return { kind: assignmentKind(key, value), secret: value };
}
