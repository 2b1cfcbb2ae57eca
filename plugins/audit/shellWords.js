// @ts-check
// Words of the shell reader (shell.js): their literal text, and the scanning helpers both readers share.

/**
 * @typedef {import('./shell.js').Word} Word
 */

/** Characters that end an unquoted word. */
export const WORD_END = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** @param {Word} word @param {string} text */
export function appendText(word, text) {
  const last = word.parts.length - 1;
  if (last >= 0 && typeof word.parts[last] === 'string') word.parts[last] += text;
  else word.parts.push(text);
}

/** The word's text when it has no expansions, else null (also for no word at all). */
export function literal(/** @type {Word | undefined} */ word) {
  if (!word) return null;
  let text = '';
  for (const part of word.parts) {
    if (typeof part !== 'string') return null;
    text += part;
  }
  return text;
}

/**
 * The redirection operator at pos (a `<` or `>`).
 * @param {string} text
 * @param {number} pos
 */
export function redirectOperator(text, pos) {
  for (const op of ['<<<', '<<-', '<<', '<>', '<&', '>>', '>&', '>|']) if (text.startsWith(op, pos)) return op;
  return text[pos];
}

/**
 * The position after the bracket that closes `depth` open ones, skipping quoted text.
 * @param {string} text
 * @param {number} pos
 * @param {string} open
 * @param {string} close
 * @param {number} depth
 */
export function matchingClose(text, pos, open, close, depth) {
  while (pos < text.length && depth > 0) {
    const c = text[pos];
    if (c === '\\') pos += 2;
    else if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      pos = end === -1 ? text.length : end + 1;
    } else {
      if (c === open) depth++;
      else if (c === close) depth--;
      pos++;
    }
  }
  return pos;
}
