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

/** Characters that end an unquoted word. */
const WORD_END = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
/**
 * Substitutions nested deeper than this are skipped, their text left unread: real commands nest a few
 * levels, and a hostile one nested thousands deep must not overflow the stack and fail its session.
 */
const MAX_NESTING = 32;
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMETER = /[0-9@*#?$!-]/;

/** @param {Word} word @param {string} text */
function appendText(word, text) {
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

/** Parses a command line (or a script) into its commands. */
export function parseShell(/** @type {string} */ text, nesting = 0) {
  return new Lexer(text, nesting).script(0, false).script;
}

class Lexer {
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
    const text = this.text;
    /** @type {Node[]} */
    const nodes = [];
    /** @type {Command | null} */
    let command = null;
    /** @type {Word | null} */
    let word = null;
    /** @type {Redirect | null} */
    let redirect = null;
    /** @type {{ heredoc: Heredoc, stripTabs: boolean }[]} */
    let pendingHeredocs = [];
    let piped = false;
    let depth = 0;

    const startCommand = (/** @type {number} */ at) => {
      command ??= { kind: 'command', words: [], redirects: [], heredocs: [], hereStrings: [], pipedFrom: piped, text, start: at, end: at };
      return command;
    };
    const startWord = (/** @type {number} */ at) => {
      word ??= { parts: [], quoted: false, start: at, end: at };
      return word;
    };
    const finishWord = () => {
      if (!word) return;
      const cmd = startCommand(word.start);
      cmd.end = word.end;
      if (redirect) {
        redirect.target = word;
        if (redirect.op === '<<' || redirect.op === '<<-') {
          const heredoc = { delimiter: literal(word) ?? word.parts.map((p) => (typeof p === 'string' ? p : '')).join(''), body: '' };
          cmd.heredocs.push(heredoc);
          pendingHeredocs.push({ heredoc, stripTabs: redirect.op === '<<-' });
        } else if (redirect.op === '<<<') cmd.hereStrings.push(word);
        redirect = null;
      } else cmd.words.push(word);
      word = null;
    };
    /** Ends the command being read; true when there was one. */
    const endCommand = () => {
      finishWord();
      redirect = null;
      const ended = /** @type {Command | null} */ (command);
      if (ended) nodes.push(ended);
      command = null;
      return ended !== null;
    };

    while (pos < text.length) {
      const c = text[pos];
      if (c === ' ' || c === '\t' || c === '\r') {
        finishWord();
        pos++;
      } else if (c === '\n') {
        // After `|` (or `&&`) a newline continues the pipeline: only a newline that ends a command ends it.
        if (endCommand()) piped = false;
        pos = this.heredocBodies(pos + 1, pendingHeredocs);
        pendingHeredocs = [];
      } else if (c === '\\') {
        if (text[pos + 1] === '\n')
          pos += 2; // a line continuation joins the lines
        else {
          const w = startWord(pos);
          appendText(w, text[pos + 1] ?? '');
          w.quoted = true;
          pos += 2;
          w.end = pos;
        }
      } else if (c === '#' && !word) {
        while (pos < text.length && text[pos] !== '\n') pos++; // a comment, up to the newline
      } else if (c === "'") {
        const w = startWord(pos);
        const close = text.indexOf("'", pos + 1);
        const end = close === -1 ? text.length : close;
        appendText(w, text.slice(pos + 1, end));
        w.quoted = true;
        pos = Math.min(text.length, end + 1);
        w.end = pos;
      } else if (c === '"') {
        const w = startWord(pos);
        w.quoted = true;
        pos = this.doubleQuoted(pos + 1, w);
        w.end = pos;
      } else if (c === '$') {
        const w = startWord(pos);
        pos = this.dollar(pos, w, false);
        w.end = pos;
      } else if (c === '`') {
        const w = startWord(pos);
        pos = this.backtick(pos, w);
        w.end = pos;
      } else if (c === '~' && this.tildeAllowed(word)) {
        const w = startWord(pos);
        let end = pos + 1;
        while (end < text.length && /[A-Za-z0-9._-]/.test(text[end])) end++;
        if (end >= text.length || text[end] === '/' || WORD_END.has(text[end])) {
          w.parts.push({ kind: 'home', user: text.slice(pos + 1, end) });
          pos = end;
        } else {
          appendText(w, '~');
          pos++;
        }
        w.end = pos;
      } else if (c === '|') {
        endCommand();
        if (text[pos + 1] === '|') {
          piped = false;
          pos += 2;
        } else {
          piped = true;
          pos += text[pos + 1] === '&' ? 2 : 1;
        }
      } else if (c === '&') {
        if (text[pos + 1] === '>') {
          finishWord();
          const op = text[pos + 2] === '>' ? '&>>' : '&>';
          redirect = { op, target: null };
          startCommand(pos).redirects.push(redirect);
          pos += op.length;
        } else {
          endCommand();
          piped = false;
          pos += text[pos + 1] === '&' ? 2 : 1;
        }
      } else if (c === ';') {
        endCommand();
        piped = false;
        pos += text[pos + 1] === ';' || text[pos + 1] === '&' ? 2 : 1;
      } else if (c === '(') {
        endCommand();
        nodes.push({ kind: 'enter' });
        depth++;
        piped = false;
        pos++;
      } else if (c === ')') {
        endCommand();
        piped = false;
        if (depth === 0 && insideParen) return { script: { nodes }, end: pos + 1 };
        if (depth > 0) {
          nodes.push({ kind: 'leave' });
          depth--;
        }
        pos++;
      } else if ((c === '<' || c === '>') && text[pos + 1] === '(') {
        // Process substitution: the command inside runs, its output is read as a file.
        const w = startWord(pos);
        const inner = this.substitution(pos + 2);
        w.parts.push({ kind: 'command', script: inner.script, process: true });
        pos = inner.end;
        w.end = pos;
      } else if (c === '<' || c === '>') {
        // A word of digits right before the operator is the file descriptor, not an argument.
        // (Read through a cast: TypeScript does not see that the helpers above assign `word`.)
        const current = /** @type {Word | null} */ (word);
        if (current && !current.quoted && /^\d+$/.test(literal(current) ?? '')) word = null;
        else finishWord();
        const op = redirectOperator(text, pos);
        redirect = { op, target: null };
        startCommand(pos).redirects.push(redirect);
        pos += op.length;
      } else {
        const w = startWord(pos);
        let end = pos + 1;
        // Stops at a tilde too: after an assignment's `=` it expands (tildeAllowed); elsewhere the next
        // round reads it as an ordinary character.
        while (end < text.length && !WORD_END.has(text[end]) && !'\\\'"$`~'.includes(text[end])) end++;
        appendText(w, text.slice(pos, end));
        pos = end;
        w.end = pos;
      }
    }
    endCommand();
    return { script: { nodes }, end: pos };
  }

  /**
   * A `~` expands at the start of a word, and right after the `=` of an assignment (`DIR=~/x`).
   * @param {Word | null} word
   */
  tildeAllowed(word) {
    if (!word || word.parts.length === 0) return true;
    const text = literal(word);
    return text !== null && /^[A-Za-z_][A-Za-z0-9_]*=$/.test(text);
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

/**
 * The redirection operator at pos (a `<` or `>`).
 * @param {string} text
 * @param {number} pos
 */
function redirectOperator(text, pos) {
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
function matchingClose(text, pos, open, close, depth) {
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
