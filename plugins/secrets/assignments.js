// @ts-check
// Secrets with no recognisable shape, found by the name they are assigned to: `DB_PASSWORD=…`,
// `"api_key": "…"`, `token: …` in text, or a JSON property so named. Only values that look random count:
// code (`token = getToken()`), placeholders (`${TOKEN}`, `<your-key>`, `xxxx`), paths and UUIDs do not.
import { shannonEntropy } from './entropy.js';

/** A name that holds a secret: the secret word ends the name (`GITHUB_TOKEN`, `db.password`, `secret_key`). */
const SECRET_NAME =
  String.raw`[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|pwd|secret|secret[_-]?key|token|api[_-]?key|apikey|access[_-]?key|` +
  String.raw`private[_-]?key|client[_-]?secret|credentials?)`;
const SECRET_NAME_ONLY = new RegExp(`^${SECRET_NAME}$`, 'i');

/**
 * name, optional closing quote, `=` `:` `:=` or `=>`, optional opening quote, value.
 * The value stops at whitespace, quotes, code punctuation and `&` (the next URL query parameter).
 */
export const ASSIGNMENT = new RegExp(
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

/** Answers by property name: records repeat a handful of keys millions of times (`type`, `text`, `content`). */
const secretNames = new Map();

/** @param {string} name */
export function isSecretName(name) {
  let known = secretNames.get(name);
  if (known === undefined) {
    known = SECRET_NAME_ONLY.test(name);
    if (secretNames.size < 10_000) secretNames.set(name, known); // bounded: keys can be arbitrary data
  }
  return known;
}

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
  for (let hint = nextHint(text, 0); hint !== -1; hint = nextHint(text, hint.next)) {
    let start = hint.word;
    while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
    if (start < from) continue; // the name began inside the last match: no start in it passes the lookbehind
    ASSIGNMENT_AT.lastIndex = start;
    const match = ASSIGNMENT_AT.exec(text);
    if (match === null) continue;
    const [whole, name, , value] = match;
    const end = match.index + whole.length;
    from = end;
    if (hint.next < end) hint.next = end;
    if (!looksLikeSecretValue(value)) continue;
    found.push({ kind: assignmentKind(name, value), secret: value, start: end - value.length, end });
  }
  return found;
}

/** ASSIGNMENT anchored where lastIndex points. */
const ASSIGNMENT_AT = new RegExp(ASSIGNMENT.source, 'iy');

/**
 * Every SECRET_NAME ends in one of these words, and ASSIGNMENT needs `["']?\s*` and `:` or `=` right after
 * the name, so each ASSIGNMENT match contains a match of this, at the end of its name. nextHint finds the
 * same matches, in the same order, as this regex's exec loop would (the equivalence is tested).
 */
export const ASSIGNMENT_HINT = /(?:pass(?:word|wd|phrase)|pwd|secret|key|token|credentials?)["']?\s*[:=]/gi;

/** The hint words, lower case (ASCII case folding is all /i does for them). */
const HINT_WORDS = ['password', 'passwd', 'passphrase', 'pwd', 'secret', 'key', 'token', 'credentials', 'credential'];

/**
 * The next ASSIGNMENT_HINT match starting at or after `from`: `word` is where it starts, `next` where the
 * search goes on. Found from the operator backwards: `:` and `=` are located with indexOf (a fast native
 * scan), and the few of them preceded by a secret word are hints. Running the case-insensitive hint regex
 * over every string cost as much as the rest of the scan. Returns -1 when there is none.
 * @param {string} text
 * @param {number} from
 * @returns {{ word: number, next: number } | -1}
 */
export function nextHint(text, from) {
  let colon = text.indexOf(':', from);
  let equals = text.indexOf('=', from);
  for (;;) {
    let op;
    if (colon === -1 && equals === -1) return -1;
    if (equals === -1 || (colon !== -1 && colon < equals)) {
      op = colon;
      colon = text.indexOf(':', op + 1);
    } else {
      op = equals;
      equals = text.indexOf('=', op + 1);
    }
    let end = op; // the word ends here, after skipping `\s*` and then one optional quote, backwards
    while (end > from && isJsSpace(text.charCodeAt(end - 1))) end--;
    const quote = end > from ? text.charCodeAt(end - 1) : 0;
    if (quote === 34 || quote === 39) end--;
    for (const word of HINT_WORDS) {
      const start = end - word.length;
      if (start >= from && endsWithFolded(text, end, word)) return { word: start, next: op + 1 };
    }
  }
}

/** Whether text[end - word.length, end) equals the lower-case ASCII word, ignoring ASCII case. */
function endsWithFolded(/** @type {string} */ text, /** @type {number} */ end, /** @type {string} */ word) {
  for (let i = word.length - 1, j = end - 1; i >= 0; i--, j--) {
    if ((text.charCodeAt(j) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** The characters of JavaScript's \s. */
function isJsSpace(/** @type {number} */ c) {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** [A-Za-z0-9_.-], the characters of a name (and of the lookbehind). */
function isNameChar(/** @type {number} */ c) {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}
