// Public plugin SDK: `import { definePlugin } from 'session-inspector/plugin'`.
export * from './processor.js';
