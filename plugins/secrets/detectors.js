// @ts-check
// Credential formats with a recognisable shape. Each pattern is anchored on a provider prefix, so hashes,
// UUIDs and base64 blobs cannot match them; the entropy floor then drops documentation placeholders
// (`sk-ant-api03-XXXX…`, `ghp_000…`). Patterns are global regexes: scanners reset lastIndex before use.
import { shannonEntropy } from './entropy.js';

/**
 * @typedef {{
 *   kind: string,
 *   pattern: RegExp,
 *   secretGroup?: number,
 *   minEntropy?: number,
 *   reject?: (secret: string) => boolean,
 *   normalize?: (secret: string) => string,
 *   prefixes: string[]
 * }} Detector
 *   secretGroup: the capture group holding the secret (default: the whole match).
 *   normalize: the part of the secret the entropy floor is measured on.
 *   prefixes: every match of `pattern` starts with one of these (scanText runs it only on text holding one).
 *     None may start another detector's prefix, so one scan finds them all (tested).
 */

/**
 * The base64 body of a PEM/PGP block (header lines like `Proc-Type: …`, whitespace and escaped newlines
 * removed), or '' when anything else follows the BEGIN line: then it is code or prose naming the format.
 */
const pemBody = (/** @type {string} */ block) => {
  const body = block
    .replace(/^-----BEGIN [A-Z ]+-----/, '')
    .replace(/\\[nr]/g, '\n')
    .replace(/^[A-Za-z-]+:.*$/gm, '')
    .replace(/\s+/g, '');
  return /^[A-Za-z0-9+/=]*$/.test(body) ? body : '';
};

/** @type {Detector[]} */
export const DETECTORS = [
  {
    kind: 'anthropic_api_key',
    pattern: /\bsk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{32,}/g,
    prefixes: ['sk-'], // shared with openai_api_key
    minEntropy: 3.5,
  },
  {
    // Project, service-account and admin keys, the T3BlbkFJ-marked user keys, and the old 48-character keys.
    kind: 'openai_api_key',
    prefixes: ['sk-'],
    pattern: /\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})(?![A-Za-z0-9_-])/g,
    minEntropy: 3.5,
  },
  {
    // AKIA: long-term keys, ASIA: STS session keys. The IDs AWS documentation uses end in EXAMPLE.
    kind: 'aws_access_key_id',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g,
    prefixes: ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
    minEntropy: 3.0,
    reject: (secret) => secret.endsWith('EXAMPLE'),
  },
  {
    kind: 'github_token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{80,255})\b/g,
    prefixes: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    minEntropy: 3.5,
  },
  {
    // Bot, user, app-level and refresh tokens (xoxb-, xoxp-, xapp-, xoxe.xoxp-…).
    kind: 'slack_token',
    pattern: /\b(?:xox[abeoprs]|xapp)-\d+-[A-Za-z0-9-]{10,}/g,
    prefixes: ['xoxa-', 'xoxb-', 'xoxe-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-', 'xapp-'],
    minEntropy: 3.0,
  },
  {
    kind: 'slack_webhook',
    pattern: /\bhttps:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/]{20,}/g,
    prefixes: ['https://hooks.slack.com/'],
    minEntropy: 3.5,
  },
  {
    // The block up to the next `-----` (its END line), or to the end of the text when it was cut off.
    // Only a real key body counts: code that merely mentions the header (parsers, scanners like this one)
    // has none. The body never holds `-----`, so each match stops there: linear even on hostile text.
    kind: 'private_key',
    prefixes: ['-----BEGIN '],
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-(?!----)){0,16384}/g,
    normalize: pemBody,
    minEntropy: 4.5,
    reject: (block) => pemBody(block).length < 64,
  },
  {
    // An HTTP Authorization header value, e.g. in a curl command.
    kind: 'bearer_token',
    pattern: /\b[Bb]earer\s+([A-Za-z0-9._~+/-]{24,}=*)/g,
    prefixes: ['Bearer', 'bearer'],
    secretGroup: 1,
    minEntropy: 3.8,
  },
];

/**
 * @param {Detector} detector
 * @param {string} secret
 */
export function passes(detector, secret) {
  if (detector.reject?.(secret)) return false;
  const measured = detector.normalize ? detector.normalize(secret) : secret;
  return detector.minEntropy === undefined || shannonEntropy(measured) >= detector.minEntropy;
}
