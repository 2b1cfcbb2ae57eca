import { z } from 'zod';
import type { Processor, ProcessorView, Session, ProcessContext, ProcessorResult } from '../../sdk/processor.js';

export const PROCESSOR_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
export const VIEW_COLUMN_TYPES = ['VARCHAR', 'BOOLEAN', 'INTEGER', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'DATE', 'JSON', 'VARCHAR[]'] as const;
/** Names a view may not take: the host's own tables. */
const RESERVED = new Set(['session_processor_state', 'session_processor_failures', 'processor_items', 'processor_runs', 'state_audit', 'schema_version', 'orphaned_sessions']);

const viewSchema = z.object({
  name: z
    .string()
    .regex(SQL_IDENTIFIER, 'must be a lower-case SQL identifier')
    .refine((name) => !RESERVED.has(name), 'is the name of a Session Inspector table'),
  columns: z
    .record(z.string().regex(SQL_IDENTIFIER, 'column names must be lower-case SQL identifiers'), z.enum(VIEW_COLUMN_TYPES))
    .refine((columns) => !('session_file' in columns), 'session_file is added by the host; do not declare it')
    .refine((columns) => Object.keys(columns).length > 0, 'needs at least one column'),
});

type ProcessSession = (session: Session, ctx: ProcessContext) => ProcessorResult | void | Promise<ProcessorResult | void>;

const processorSchema = z.object({
  name: z.string({ message: 'is required (a string)' }).regex(PROCESSOR_NAME, 'must match /^[a-z0-9][a-z0-9_-]{0,63}$/'),
  version: z.string().min(1, 'must not be empty').default('1'),
  cadenceMinutes: z.number().positive().finite().default(10),
  timeoutMs: z.number().int().positive().max(2_147_483_647).default(60_000),
  view: viewSchema.optional(),
  linesContaining: z
    .array(z.string().min(1, 'must not be empty').refine((text) => !text.includes('\n'), 'must not contain a newline'))
    .max(16, 'at most 16 strings')
    .optional(),
  processSession: z.custom<ProcessSession>((value) => typeof value === 'function', 'must be a function'),
});

/** A processor after validation: every default filled in. */
export interface ProcessorDefinition extends Required<Omit<Processor, 'view' | 'linesContaining'>> {
  view?: ProcessorView;
  linesContaining?: string[];
}

/** Validates one exported processor object; throws an Error listing every problem with its field. */
export function parseProcessor(value: unknown, label: string): ProcessorDefinition {
  if (typeof value !== 'object' || value === null) throw new Error(`${label} is ${value === null ? 'null' : `a ${typeof value}`}, not a processor object`);
  const result = processorSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'value'} ${issue.message}`);
    throw new Error(`${label}: ${problems.join('; ')}`);
  }
  return result.data as ProcessorDefinition;
}
