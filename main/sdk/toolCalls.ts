// Pairing tool calls with their results in one streaming pass. A tool_use block (assistant line) is
// answered by a tool_result block with the same id in a later user line; only calls still awaiting their
// result are kept in memory.
import { contentBlocks, isToolResultBlock, isToolUseBlock } from './content.js';
import { isAssistantRecord, isUserRecord, type ToolResultBlock, type ToolUseBlock } from './records.js';

/** The tool_use blocks of an assistant line ([] for any other record). */
export function toolUses(record: unknown): ToolUseBlock[] {
  return isAssistantRecord(record) ? contentBlocks(record.message).filter(isToolUseBlock) : [];
}

/** The tool_result blocks of a user line ([] for any other record). */
export function toolResults(record: unknown): ToolResultBlock[] {
  return isUserRecord(record) ? contentBlocks(record.message).filter(isToolResultBlock) : [];
}

/** Remembers a value per tool call (whatever the processor needs later) until the call's result arrives. */
export class ToolCallPairing<T> {
  private readonly awaiting = new Map<string, T>();

  /** Remember `value` for this call; a repeated id replaces the earlier value. */
  expect(use: ToolUseBlock, value: T): void {
    this.awaiting.set(use.id, value);
  }

  /**
   * The value remembered for this result's call, forgotten from now on (a call has one result).
   * Undefined when the call was not seen: its line may have been lost or live in another file.
   */
  resolve(result: ToolResultBlock): T | undefined {
    const value = this.awaiting.get(result.tool_use_id);
    if (value !== undefined) this.awaiting.delete(result.tool_use_id);
    return value;
  }

  /** Calls that have had no result so far (interrupted, or the session is still running). */
  get awaitingCount(): number {
    return this.awaiting.size;
  }
}
