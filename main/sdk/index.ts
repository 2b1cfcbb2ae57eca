// Public plugin SDK: `import { definePlugin } from 'session-inspector/plugin'`.
export * from './processor.js';
// Claude Code transcripts: record types and streaming helpers shared by the built-in processors.
export * from './records.js';
export * from './content.js';
export * from './commands.js';
export * from './tools.js';
export * from './toolCalls.js';
export * from './apiMessages.js';
export * from './time.js';
export * from './text.js';
export * from './walk.js';
export * from './spans.js';
export * from './pricing.js';
