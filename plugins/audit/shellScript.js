// @ts-check
// The command level of the shell reader (shell.js): words, operators, subshells, redirections and heredoc
// openings, one character at a time; quotes and expansions are read by the Lexer that owns the text.
import { WORD_END, appendText, literal, redirectOperator } from './shellWords.js';

/**
 * @typedef {import('./shell.js').Word} Word
 * @typedef {import('./shell.js').Redirect} Redirect
 * @typedef {import('./shell.js').Heredoc} Heredoc
 * @typedef {import('./shell.js').Command} Command
 * @typedef {import('./shell.js').Node} Node
 * @typedef {import('./shell.js').Script} Script
 * @typedef {import('./shell.js').Lexer} Lexer
 */

/**
 * A `~` expands at the start of a word, and right after the `=` of an assignment (`DIR=~/x`).
 * @param {Word | null} word
 */
function tildeAllowed(word) {
  if (!word || word.parts.length === 0) return true;
  const text = literal(word);
  return text !== null && /^[A-Za-z_][A-Za-z0-9_]*=$/.test(text);
}

/** Reads the commands of one script from `pos` to the end, or (insideParen) to the `)` that closes a `$(` or `<(`. */
export class ScriptReader {
  /**
   * @param {Lexer} lexer
   * @param {number} pos
   * @param {boolean} insideParen
   */
  constructor(lexer, pos, insideParen) {
    this.lexer = lexer;
    this.text = lexer.text;
    this.pos = pos;
    this.insideParen = insideParen;
    /** @type {Node[]} */
    this.nodes = [];
    /** @type {Command | null} */
    this.command = null;
    /** @type {Word | null} */
    this.word = null;
    /** @type {Redirect | null} */
    this.redirect = null;
    /** @type {{ heredoc: Heredoc, stripTabs: boolean }[]} */
    this.pendingHeredocs = [];
    this.piped = false;
    this.depth = 0;
  }

  /** @param {number} at */
  startCommand(at) {
    this.command ??= { kind: 'command', words: [], redirects: [], heredocs: [], hereStrings: [], pipedFrom: this.piped, text: this.text, start: at, end: at };
    return this.command;
  }

  /** @param {number} at */
  startWord(at) {
    this.word ??= { parts: [], quoted: false, start: at, end: at };
    return this.word;
  }

  finishWord() {
    const word = this.word;
    if (!word) return;
    const cmd = this.startCommand(word.start);
    cmd.end = word.end;
    const redirect = this.redirect;
    if (redirect) {
      redirect.target = word;
      if (redirect.op === '<<' || redirect.op === '<<-') {
        const heredoc = { delimiter: literal(word) ?? word.parts.map((p) => (typeof p === 'string' ? p : '')).join(''), body: '' };
        cmd.heredocs.push(heredoc);
        this.pendingHeredocs.push({ heredoc, stripTabs: redirect.op === '<<-' });
      } else if (redirect.op === '<<<') cmd.hereStrings.push(word);
      this.redirect = null;
    } else cmd.words.push(word);
    this.word = null;
  }

  /** Ends the command being read; true when there was one. */
  endCommand() {
    this.finishWord();
    this.redirect = null;
    const ended = this.command;
    if (ended) this.nodes.push(ended);
    this.command = null;
    return ended !== null;
  }

  /** @returns {{ script: Script, end: number }} */
  read() {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c === ' ' || c === '\t' || c === '\r') {
        this.finishWord();
        this.pos++;
      } else if (c === '\n') this.newline();
      else if (c === '\\') this.backslash();
      else if (c === '#' && !this.word) {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++; // a comment, up to the newline
      } else if (c === "'" || c === '"' || c === '$' || c === '`') this.quotedOrExpansion(c);
      else if (c === '~' && tildeAllowed(this.word)) this.tilde();
      else if (c === '|') this.pipe();
      else if (c === '&') this.ampersand();
      else if (c === ';') {
        this.endCommand();
        this.piped = false;
        this.pos += text[this.pos + 1] === ';' || text[this.pos + 1] === '&' ? 2 : 1;
      } else if (c === '(') {
        this.endCommand();
        this.nodes.push({ kind: 'enter' });
        this.depth++;
        this.piped = false;
        this.pos++;
      } else if (c === ')') {
        if (this.closeParen()) return { script: { nodes: this.nodes }, end: this.pos + 1 };
      } else if ((c === '<' || c === '>') && text[this.pos + 1] === '(') this.processSubstitution();
      else if (c === '<' || c === '>') this.redirection();
      else this.plainText();
    }
    this.endCommand();
    return { script: { nodes: this.nodes }, end: this.pos };
  }

  newline() {
    // After `|` (or `&&`) a newline continues the pipeline: only a newline that ends a command ends it.
    if (this.endCommand()) this.piped = false;
    this.pos = this.lexer.heredocBodies(this.pos + 1, this.pendingHeredocs);
    this.pendingHeredocs = [];
  }

  backslash() {
    const text = this.text;
    if (text[this.pos + 1] === '\n')
      this.pos += 2; // a line continuation joins the lines
    else {
      const w = this.startWord(this.pos);
      appendText(w, text[this.pos + 1] ?? '');
      w.quoted = true;
      this.pos += 2;
      w.end = this.pos;
    }
  }

  /** @param {string} c a quote, `$` or a backtick */
  quotedOrExpansion(c) {
    const text = this.text;
    const w = this.startWord(this.pos);
    if (c === "'") {
      const close = text.indexOf("'", this.pos + 1);
      const end = close === -1 ? text.length : close;
      appendText(w, text.slice(this.pos + 1, end));
      w.quoted = true;
      this.pos = Math.min(text.length, end + 1);
    } else if (c === '"') {
      w.quoted = true;
      this.pos = this.lexer.doubleQuoted(this.pos + 1, w);
    } else if (c === '$') this.pos = this.lexer.dollar(this.pos, w, false);
    else this.pos = this.lexer.backtick(this.pos, w);
    w.end = this.pos;
  }

  tilde() {
    const text = this.text;
    const pos = this.pos;
    const w = this.startWord(pos);
    let end = pos + 1;
    while (end < text.length && /[A-Za-z0-9._-]/.test(text[end])) end++;
    if (end >= text.length || text[end] === '/' || WORD_END.has(text[end])) {
      w.parts.push({ kind: 'home', user: text.slice(pos + 1, end) });
      this.pos = end;
    } else {
      appendText(w, '~');
      this.pos++;
    }
    w.end = this.pos;
  }

  pipe() {
    this.endCommand();
    if (this.text[this.pos + 1] === '|') {
      this.piped = false;
      this.pos += 2;
    } else {
      this.piped = true;
      this.pos += this.text[this.pos + 1] === '&' ? 2 : 1;
    }
  }

  ampersand() {
    const text = this.text;
    if (text[this.pos + 1] === '>') {
      this.finishWord();
      const op = text[this.pos + 2] === '>' ? '&>>' : '&>';
      this.redirect = { op, target: null };
      this.startCommand(this.pos).redirects.push(this.redirect);
      this.pos += op.length;
    } else {
      this.endCommand();
      this.piped = false;
      this.pos += text[this.pos + 1] === '&' ? 2 : 1;
    }
  }

  /** A `)`: ends a subshell, or (true) the `$(` or `<(` being read. */
  closeParen() {
    this.endCommand();
    this.piped = false;
    if (this.depth === 0 && this.insideParen) return true;
    if (this.depth > 0) {
      this.nodes.push({ kind: 'leave' });
      this.depth--;
    }
    this.pos++;
    return false;
  }

  processSubstitution() {
    // Process substitution: the command inside runs, its output is read as a file.
    const w = this.startWord(this.pos);
    const inner = this.lexer.substitution(this.pos + 2);
    w.parts.push({ kind: 'command', script: inner.script, process: true });
    this.pos = inner.end;
    w.end = this.pos;
  }

  redirection() {
    // A word of digits right before the operator is the file descriptor, not an argument.
    const current = this.word;
    if (current && !current.quoted && /^\d+$/.test(literal(current) ?? '')) this.word = null;
    else this.finishWord();
    const op = redirectOperator(this.text, this.pos);
    this.redirect = { op, target: null };
    this.startCommand(this.pos).redirects.push(this.redirect);
    this.pos += op.length;
  }

  plainText() {
    const text = this.text;
    const w = this.startWord(this.pos);
    let end = this.pos + 1;
    // Stops at a tilde too: after an assignment's `=` it expands (tildeAllowed); elsewhere the next
    // round reads it as an ordinary character.
    while (end < text.length && !WORD_END.has(text[end]) && !'\\\'"$`~'.includes(text[end])) end++;
    appendText(w, text.slice(this.pos, end));
    this.pos = end;
    w.end = this.pos;
  }
}
