// What a tool_use block invokes beyond the tool itself: a skill, a subagent, an MCP server's tool.
import { asObject, type ToolUseBlock } from './records.js';

export interface ToolUseDetails {
  /** `input.skill` of a Skill call. */
  skillName: string | null;
  /** `input.subagent_type` of a Task call (named Agent in newer Claude Code versions). */
  subagentType: string | null;
  /** `<server>` of an `mcp__<server>__<tool>` name. */
  mcpServer: string | null;
  /** `<tool>` of an `mcp__<server>__<tool>` name. */
  mcpTool: string | null;
}

/** Tool names under which Claude Code launches a subagent. */
export const SUBAGENT_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent']);

const MCP_NAME = /^mcp__(.+?)__(.+)$/;

export function parseMcpToolName(name: string): { server: string; tool: string } | null {
  const match = MCP_NAME.exec(name);
  return match ? { server: match[1], tool: match[2] } : null;
}

function inputString(block: ToolUseBlock, field: string): string | null {
  const value = asObject(block.input)?.[field];
  return typeof value === 'string' && value !== '' ? value : null;
}

export function toolUseDetails(block: ToolUseBlock): ToolUseDetails {
  const mcp = parseMcpToolName(block.name);
  return {
    skillName: block.name === 'Skill' ? inputString(block, 'skill') : null,
    subagentType: SUBAGENT_TOOLS.has(block.name) ? inputString(block, 'subagent_type') : null,
    mcpServer: mcp?.server ?? null,
    mcpTool: mcp?.tool ?? null,
  };
}
