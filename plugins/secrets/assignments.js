// @ts-check
// Secrets with no recognisable shape, found by the name they are assigned to: `DB_PASSWORD=…`,
// `"api_key": "…"`, `token: …` in text, or a JSON property so named. Only values that look random count:
// code (`token = getToken()`), placeholders (`${TOKEN}`, `<your-key>`, `xxxx`), paths and UUIDs do not.
import { shannonEntropy } from './entropy.js';

/** A name that holds a secret: the secret word ends the name (`GITHUB_TOKEN`, `db.password`, `secret_key`). */
const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|pwd|secret|secret[_-]?key|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)`;
const SECRET_NAME_ONLY = new RegExp(`^${SECRET_NAME}$`, 'i');

/**
 * name, optional closing quote, `=` `:` `:=` or `=>`, optional opening quote, value.
 * The value stops at whitespace, quotes, code punctuation and `&` (the next URL query parameter).
 */
const ASSIGNMENT = new RegExp(
  String.raw`(?<![A-Za-z0-9_.-])(${SECRET_NAME})["']?\s*(?::=|=>|=|:)\s*(["'\x60]?)([^\s"'\x60,;&<>(){}\[\]]{12,1024})`,
  'gi',
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER = /^(?:\$|%|\{\{|<|env\.|process\.env|os\.environ|ENV\[)|x{4,}|\*{3,}|\.{3}|your[_-]|changeme|example|dummy|placeholder|redacted/i;
const CODE_REFERENCE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/; // self.token, config.apiKey
const PATH = /^(?:[.~]?\/|[A-Za-z]:\\)/;

/**
 * Whether a value assigned to a secret name looks like a real secret: long enough, mixing letters and
 * digits, high entropy, and none of the shapes code and documentation use instead.
 * @param {string} value
 */
export function looksLikeSecretValue(value) {
  if (value.length < 12 || value.length > 1024) return false;
  if (UUID.test(value) || PLACEHOLDER.test(value) || CODE_REFERENCE.test(value) || PATH.test(value)) return false;
  if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  return shannonEntropy(value) >= 3.5;
}

/** @param {string} name */
export const isSecretName = (name) => SECRET_NAME_ONLY.test(name);

/** AWS secret access keys are 40 base64 characters; named so, they get their own kind. */
const AWS_SECRET = /^[A-Za-z0-9/+]{40}$/;

/**
 * The kind of a secret found by name.
 * @param {string} name
 * @param {string} value
 */
export function assignmentKind(name, value) {
  return /aws/i.test(name) && /secret/i.test(name) && AWS_SECRET.test(value) ? 'aws_secret_access_key' : 'generic_secret';
}

/**
 * Every `name = value` assignment in the text whose value looks like a secret.
 * @param {string} text
 * @returns {{ kind: string, secret: string, start: number, end: number }[]}
 */
export function findAssignments(text) {
  const found = [];
  // Same matches as ASSIGNMENT.exec in a loop, found faster: run ASSIGNMENT (sticky) only at the start of
  // a name that ends in a secret word followed by an operator. Trying ASSIGNMENT at every position of
  // every string was the single largest cost of a full run (its lookbehind and lazy name at each offset).
  let from = 0; // matches never overlap: the next one starts at or after the end of the last
  ASSIGNMENT_HINT.lastIndex = 0;
  for (let hint = ASSIGNMENT_HINT.exec(text); hint !== null; hint = ASSIGNMENT_HINT.exec(text)) {
    let start = hint.index;
    while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
    if (start < from) continue; // the name began inside the last match: no start in it passes the lookbehind
    ASSIGNMENT_AT.lastIndex = start;
    const match = ASSIGNMENT_AT.exec(text);
    if (match === null) continue;
    const [whole, name, , value] = match;
    const end = match.index + whole.length;
    from = end;
    if (ASSIGNMENT_HINT.lastIndex < end) ASSIGNMENT_HINT.lastIndex = end;
    if (!looksLikeSecretValue(value)) continue;
    found.push({ kind: assignmentKind(name, value), secret: value, start: end - value.length, end });
  }
  return found;
}

/** ASSIGNMENT anchored where lastIndex points. */
const ASSIGNMENT_AT = new RegExp(ASSIGNMENT.source, 'iy');

/**
 * Every SECRET_NAME ends in one of these words, and ASSIGNMENT needs `["']?\s*` and `:` or `=` right after
 * the name, so each ASSIGNMENT match contains a match of this, at the end of its name.
 */
const ASSIGNMENT_HINT = /(?:pass(?:word|wd|phrase)|pwd|secret|key|token|credentials?)["']?\s*[:=]/gi;

/** [A-Za-z0-9_.-], the characters of a name (and of the lookbehind). */
function isNameChar(/** @type {number} */ c) {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}
