import { asObject, contentBlocks, isTextBlock, isToolResultBlock, isToolUseBlock, toolResultText } from '../../sdk/index.js';

/**
 * Who wrote a piece of searchable text. `user`: what was typed (a user line's text); `assistant`: the
 * model's replies and its thinking; `tool`: tool calls' inputs and what the tools returned (the bulk of a
 * transcript, and where file contents, commands and errors live).
 */
export type SearchRole = 'user' | 'assistant' | 'tool';
export const SEARCH_ROLES: readonly SearchRole[] = ['user', 'assistant', 'tool'];

/**
 * A piece is indexed up to this many characters, as the transcript view shows an entry up to its first
 * million (a tool result can be hundreds of MB; a match past this is in the file but not in the index).
 */
export const MAX_PIECE_CHARS = 1_000_000;

export interface SearchPiece {
  role: SearchRole;
  text: string;
}

/**
 * The searchable text of one transcript line, one piece per role that has any (several blocks of one role
 * on one line are joined by newlines): the line is the unit a hit names and the transcript opens at.
 * Summary, system and other lines are Claude Code's bookkeeping and are not indexed.
 */
export function searchPieces(record: unknown): SearchPiece[] {
  const object = asObject(record);
  if (!object || (object.type !== 'user' && object.type !== 'assistant')) return [];
  const said: string[] = [];
  const tool: string[] = [];
  for (const block of contentBlocks(asObject(object.message))) {
    if (isTextBlock(block)) said.push(block.text);
    else if (block.type === 'thinking' && typeof block.thinking === 'string') said.push(block.thinking);
    else if (isToolUseBlock(block)) stringLeaves(block.input, tool);
    else if (isToolResultBlock(block)) tool.push(toolResultText(block));
  }
  const pieces: SearchPiece[] = [];
  const saidText = clip(said.join('\n'));
  if (saidText.trim() !== '') pieces.push({ role: object.type, text: saidText });
  const toolText = clip(tool.join('\n'));
  if (toolText.trim() !== '') pieces.push({ role: 'tool', text: toolText });
  return pieces;
}

/** The record's timestamp in ms since the epoch, or null when it has none that parses. */
export function recordTime(record: unknown): number | null {
  const value = asObject(record)?.timestamp;
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** The record's working folder (what names the project), or null. */
export function recordCwd(record: unknown): string | null {
  const value = asObject(record)?.cwd;
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * A tool input's string values (commands, paths, file contents, patterns), in order: what people search
 * for. Keys and JSON punctuation are left out, so a phrase matches as it was written, not as JSON escapes it.
 */
function stringLeaves(value: unknown, out: string[], depth = 0): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (depth > 32 || value === null || typeof value !== 'object') return;
  else if (Array.isArray(value)) for (const item of value) stringLeaves(item, out, depth + 1);
  else for (const item of Object.values(value)) stringLeaves(item, out, depth + 1);
}

function clip(text: string): string {
  return text.length <= MAX_PIECE_CHARS ? text : text.slice(0, MAX_PIECE_CHARS);
}
