// Reading `message.content`: a string on typed prompts, an array of blocks everywhere else. Blocks that
// are not objects with a string `type` (seen in damaged or hand-edited files) are dropped, never thrown on.
import { asObject, type ContentBlock, type TextBlock, type ToolResultBlock, type ToolUseBlock, type UserRecord } from './records.js';

/** The message's content as blocks; a string content becomes one text block. */
export function contentBlocks(message: { content?: unknown } | undefined): ContentBlock[] {
  const content = message?.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: ContentBlock[] = [];
  for (const item of content) {
    const block = asObject(item);
    if (block && typeof block.type === 'string') blocks.push(block as ContentBlock);
  }
  return blocks;
}

export function isTextBlock(block: ContentBlock): block is TextBlock {
  return block.type === 'text' && typeof block.text === 'string';
}

export function isToolUseBlock(block: ContentBlock): block is ToolUseBlock {
  return block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string';
}

export function isToolResultBlock(block: ContentBlock): block is ToolResultBlock {
  return block.type === 'tool_result' && typeof block.tool_use_id === 'string';
}

/** The text blocks' text joined with newlines ('' when there is none). */
export function blocksText(blocks: readonly ContentBlock[]): string {
  const parts: string[] = [];
  for (const block of blocks) if (isTextBlock(block)) parts.push(block.text);
  return parts.join('\n');
}

/** What a tool returned, as text: the string content, or its text blocks joined (images are skipped). */
export function toolResultText(block: ToolResultBlock): string {
  return blocksText(contentBlocks(block));
}

/** The typed text of a user line: string content or its text blocks; '' for lines carrying only tool results. */
export function userText(record: UserRecord): string {
  return blocksText(contentBlocks(record.message));
}

/**
 * User lines Claude Code writes itself: output echoed after a local command (`!ls`, `/cost`…) and the
 * marker left when the user interrupts a response. Nobody typed them.
 */
const NOT_TYPED = /^\s*(?:<(?:local-command-stdout|local-command-stderr|bash-stdout|bash-stderr)>|\[Request interrupted by user)/;

/**
 * A line the human typed in the main conversation: not a tool result carrier, not a subagent's prompt
 * (isSidechain), not written by Claude Code (isMeta, compaction summaries, command output, interruptions).
 * Slash commands count: the human typed them.
 */
export function isHumanPrompt(record: UserRecord): boolean {
  if (record.isSidechain === true || record.isMeta === true || record.isCompactSummary === true) return false;
  return isTypedText(userText(record));
}

/** Text a person typed: not blank, not output or a marker Claude Code writes itself (SQL: is_typed_text). */
export function isTypedText(text: string): boolean {
  return text.trim() !== '' && !NOT_TYPED.test(text);
}
