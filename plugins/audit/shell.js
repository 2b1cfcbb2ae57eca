// @ts-check
// A reader for the shell commands Claude Code's Bash tool runs, good enough to tell a command that runs
// from text that is only data: what sits in quotes, in an echo's arguments or in a heredoc is a word or a
// body, never a command. It follows POSIX/bash quoting (single, double, $'…', backslashes), expansions
// ($VAR, ${…}, $(…), backticks, <(…)), operators (; && || | |& & newline, subshell parentheses),
// redirections and heredocs (<<, <<-, <<<). It never throws: an unterminated quote reads to the end.
//
// Not understood (the findings may miss or misplace these): `case` patterns, function bodies defined
// and called later, aliases, arrays, brace expansion ({a,b}), and what a script file or a pipe's input
// will run.
import { ScriptReader } from './shellScript.js';
import { appendText, literal, matchingClose } from './shellWords.js';

export { literal };

/**
 * A piece of a word that the shell would replace.
 * @typedef {{ kind: 'var', name: string }
 *   | { kind: 'home', user: string }
 *   | { kind: 'command', script: Script, process: boolean }
 *   | { kind: 'arithmetic' }} Expansion
 * A word after quote removal: literal text and expansions, in order.
 * @typedef {{ parts: (string | Expansion)[], quoted: boolean, start: number, end: number }} Word
 * @typedef {{ op: string, target: Word | null }} Redirect
 * @typedef {{ delimiter: string, body: string }} Heredoc
 * @typedef {{
 *   kind: 'command', words: Word[], redirects: Redirect[], heredocs: Heredoc[], hereStrings: Word[],
 *   pipedFrom: boolean, text: string, start: number, end: number
 * }} Command
 * `enter` and `leave` bracket a subshell `( … )`: a `cd` inside it does not outlive it.
 * @typedef {Command | { kind: 'enter' } | { kind: 'leave' }} Node
 * @typedef {{ nodes: Node[] }} Script
 */

/**
 * Substitutions nested deeper than this are skipped, their text left unread: real commands nest a few
 * levels, and a hostile one nested thousands deep must not overflow the stack and fail its session.
 */
const MAX_NESTING = 32;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMETER = /[0-9@*#?$!-]/;

/** Parses a command line (or a script) into its commands. */
export function parseShell(/** @type {string} */ text, nesting = 0) {
  return new Lexer(text, nesting).script(0, false).script;
}

export class Lexer {
  /**
   * @param {string} text
   * @param {number} nesting how many substitutions enclose this text
   */
  constructor(text, nesting) {
    this.text = text;
    this.nesting = nesting;
  }

  /**
   * The script inside a `$(` or `<(` whose body starts at pos: read, or skipped past its closing `)`
   * when nested too deep (it then reads as a command we know nothing of).
   * @param {number} pos
   */
  substitution(pos) {
    if (this.nesting >= MAX_NESTING) return { script: { nodes: [] }, end: matchingClose(this.text, pos, '(', ')', 1) };
    this.nesting++;
    try {
      return this.script(pos, true);
    } finally {
      this.nesting--;
    }
  }

  /**
   * Reads commands from `pos` to the end, or (insideParen) to the `)` that closes a `$(` or `<(`.
   * @param {number} pos
   * @param {boolean} insideParen
   * @returns {{ script: Script, end: number }}
   */
  script(pos, insideParen) {
    return new ScriptReader(this, pos, insideParen).read();
  }

  /**
   * Reads a double-quoted string (pos just after the opening quote) into `word`; returns the position
   * after the closing quote.
   * @param {number} pos
   * @param {Word} word
   */
  doubleQuoted(pos, word) {
    const text = this.text;
    while (pos < text.length) {
      const c = text[pos];
      if (c === '"') return pos + 1;
      if (c === '\\') {
        const next = text[pos + 1] ?? '';
        if ('$`"\\'.includes(next) && next !== '') appendText(word, next);
        else if (next !== '\n') appendText(word, `\\${next}`);
        pos += 2;
      } else if (c === '$') pos = this.dollar(pos, word, true);
      else if (c === '`') pos = this.backtick(pos, word);
      else {
        let end = pos + 1;
        while (end < text.length && !'"\\$`'.includes(text[end])) end++;
        appendText(word, text.slice(pos, end));
        pos = end;
      }
    }
    return pos;
  }

  /**
   * A `$` at pos: a parameter, a command substitution, arithmetic, or ANSI-C / locale quotes.
   * @param {number} pos
   * @param {Word} word
   * @param {boolean} inDoubleQuotes
   */
  dollar(pos, word, inDoubleQuotes) {
    const text = this.text;
    const next = text[pos + 1] ?? '';
    if (next === '(' && text[pos + 2] === '(') {
      word.parts.push({ kind: 'arithmetic' });
      return matchingClose(text, pos + 3, '(', ')', 2);
    }
    if (next === '(') {
      const inner = this.substitution(pos + 2);
      word.parts.push({ kind: 'command', script: inner.script, process: false });
      return inner.end;
    }
    if (next === '{') {
      const end = matchingClose(text, pos + 2, '{', '}', 1);
      const body = text.slice(pos + 2, end - 1);
      const name = /^[#!]?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(body);
      word.parts.push({ kind: 'var', name: name ? name[1] : body });
      return end;
    }
    if (next === "'" && !inDoubleQuotes) {
      let end = pos + 2;
      let value = '';
      while (end < text.length && text[end] !== "'") {
        if (text[end] === '\\' && end + 1 < text.length) {
          const escaped = text[end + 1];
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
          end += 2;
        } else value += text[end++];
      }
      appendText(word, value);
      word.quoted = true;
      return Math.min(text.length, end + 1);
    }
    if (next === '"' && !inDoubleQuotes) {
      word.quoted = true;
      return this.doubleQuoted(pos + 2, word);
    }
    if (NAME_START.test(next)) {
      let end = pos + 2;
      while (end < text.length && NAME_CHAR.test(text[end])) end++;
      word.parts.push({ kind: 'var', name: text.slice(pos + 1, end) });
      return end;
    }
    if (next !== '' && SPECIAL_PARAMETER.test(next)) {
      word.parts.push({ kind: 'var', name: next });
      return pos + 2;
    }
    appendText(word, '$');
    return pos + 1;
  }

  /**
   * A backtick command substitution: its text, unescaped, is a script of its own.
   * @param {number} pos
   * @param {Word} word
   */
  backtick(pos, word) {
    const text = this.text;
    let end = pos + 1;
    let inner = '';
    while (end < text.length && text[end] !== '`') {
      if (text[end] === '\\' && '`$\\'.includes(text[end + 1] ?? '')) {
        inner += text[end + 1];
        end += 2;
      } else inner += text[end++];
    }
    const script = this.nesting >= MAX_NESTING ? { nodes: [] } : parseShell(inner, this.nesting + 1);
    word.parts.push({ kind: 'command', script, process: false });
    return Math.min(text.length, end + 1);
  }

  /**
   * Reads the bodies of the heredocs opened on the line that just ended (pos: the next line's start).
   * @param {number} pos
   * @param {{ heredoc: Heredoc, stripTabs: boolean }[]} pending
   */
  heredocBodies(pos, pending) {
    const text = this.text;
    for (const { heredoc, stripTabs } of pending) {
      const lines = [];
      while (pos < text.length) {
        const newline = text.indexOf('\n', pos);
        const lineEnd = newline === -1 ? text.length : newline;
        const line = text.slice(pos, lineEnd);
        pos = newline === -1 ? text.length : newline + 1;
        if ((stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) break;
        lines.push(stripTabs ? line.replace(/^\t+/, '') : line);
      }
      heredoc.body = lines.join('\n');
    }
    return pos;
  }
}
