// @ts-check
// audit: findings worth an auditor's look, one processor (and view) each. Each item carries the file
// line it is on, so the transcript view can show it in context. docs/processors.md documents every rule
// with the cases it gets wrong.
import { definePlugin } from 'session-inspector/plugin';
import { destructiveCommands } from './destructiveCommands.js';
import { outsideWrites } from './outsideWrites.js';
import { permissionBypass } from './permissionBypass.js';

export default definePlugin([destructiveCommands, outsideWrites, permissionBypass]);
