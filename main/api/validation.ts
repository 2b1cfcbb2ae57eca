import { z } from 'zod';
import { PROCESSOR_NAME } from '../core/plugins/processorSchema.js';
import { SESSION_COLUMN_IDS } from '../core/sessions/sessionColumns.js';
import { FINDING_STATUSES, SEARCH_ROLES, PROCESSOR_STATUSES, USAGE_REPORT_KINDS, USAGE_WEEK_STARTS, type ArgsOf, type MethodName } from './contract.js';

/**
 * Every method's arguments, checked in main before anything runs: wrong types, missing or extra fields
 * are refused with the field named. Session keys are relative paths under the root: no `..`, no absolute
 * paths, no backslashes, so a key can never point outside the session folder.
 */
const sessionKey = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    (key) =>
      !key.startsWith('/') &&
      !/^[A-Za-z]:/.test(key) &&
      !key.includes('\\') &&
      !key.includes('\0') &&
      !key.split('/').some((part) => part === '..' || part === '.' || part === ''),
    { message: 'must be a session key (a relative path under the session folder, like alice/0b1c.jsonl)' },
  );
const processor = z.string().regex(PROCESSOR_NAME, 'must be a processor name');
const status = z.enum(PROCESSOR_STATUSES as [string, ...string[]]);
const empty = z.object({}).strict();
const filter = {
  status: z.array(status).max(6).optional(),
  processor: processor.optional(),
  group: z.string().max(4096).optional(),
  text: z.string().max(4096).optional(),
  project: z.string().min(1).max(4096).optional(),
  startedFrom: z.string().datetime({ offset: true }).optional(),
  startedTo: z.string().datetime({ offset: true }).optional(),
  has: z
    .array(z.enum(['secrets', 'errors']))
    .max(2)
    .optional(),
};
const target = z.union([z.object({ sessions: z.array(sessionKey).min(1).max(100_000) }).strict(), z.object({ filter: z.object(filter).strict() }).strict()]);
const findingId = z.string().regex(/^[0-9a-f]{16}$/, 'must be a finding id');
const path = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain NUL');
const sql = z.string().min(1).max(100_000);

export const schemas: { [M in MethodName]: z.ZodType<ArgsOf<M>> } = {
  'app/info': empty,
  'app/setSessionRoot': z.object({ path }).strict(),
  'app/setStateStore': z.object({ target: z.string().trim().min(1, 'target: name a DuckDB file or a postgres:// URL').max(4096) }).strict(),
  'app/setArchive': z.object({ folder: path.nullable() }).strict(),
  'app/archiveStatus': empty,
  'app/pickFolder': empty,
  'sessions/list': z
    .object({
      ...filter,
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(500),
      sort: z
        .object({ by: z.enum(SESSION_COLUMN_IDS), dir: z.enum(['asc', 'desc']) })
        .strict()
        .optional(),
      parent: sessionKey.optional(),
    })
    .strict() as z.ZodType<ArgsOf<'sessions/list'>>,
  'sessions/get': z.object({ sessionKey }).strict(),
  'sessions/transcript': z.object({ sessionKey, fromLine: z.number().int().min(1).optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
  'sessions/refresh': empty,
  'processors/list': empty,
  'runs/start': z
    .object({
      processors: z.array(processor).optional(),
      sessions: z.array(sessionKey).max(100_000).optional(),
      filter: z.object(filter).strict().optional(),
      failedOnly: z.boolean().optional(),
    })
    .strict()
    .refine((a) => !(a.sessions && a.filter), 'give sessions or a filter, not both') as z.ZodType<ArgsOf<'runs/start'>>,
  'runs/cancel': z.object({ processor: processor.optional() }).strict(),
  'runs/active': empty,
  'runs/history': z.object({ limit: z.number().int().min(1).max(10_000).optional(), processor: processor.optional() }).strict(),
  'runs/timeline': z.object({ days: z.number().int().min(1).max(3650).optional() }).strict(),
  'state/list': z
    .object({
      processor: processor.optional(),
      text: z.string().max(4096).optional(),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(500),
    })
    .strict(),
  'state/reset': z.object({ processor, target }).strict() as z.ZodType<ArgsOf<'state/reset'>>,
  'state/markProcessed': z.object({ processor, target }).strict() as z.ZodType<ArgsOf<'state/markProcessed'>>,
  'state/update': z
    .object({
      processor,
      sessionKey,
      changes: z.object({ itemsExtracted: z.number().optional(), processedAt: z.string().max(64).optional() }).strict(),
      expected: z.object({ itemsExtracted: z.number(), processedAt: z.string().max(64).nullable() }).strict(),
    })
    .strict(),
  'state/history': z.object({ limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  'state/undo': z.object({ auditId: z.number().int().min(1) }).strict(),
  'plugins/list': empty,
  'plugins/inspect': z.object({ path }).strict(),
  'plugins/install': z.object({ path, approve: z.boolean() }).strict(),
  'plugins/approve': z.object({ name: z.string().min(1).max(4096) }).strict(),
  'plugins/setEnabled': z.object({ name: z.string().min(1).max(4096), enabled: z.boolean() }).strict(),
  'plugins/reload': empty,
  'query/run': z.object({ sql, limit: z.number().int().min(1).max(100_000).optional() }).strict(),
  'query/catalog': empty,
  'query/export': z.object({ sql, format: z.enum(['csv', 'parquet']) }).strict(),
  'dashboard/get': z.object({ days: z.number().int().min(1).max(3650).optional() }).strict(),
  'health/get': z.object({}).strict(),
  'findings/list': z
    .object({
      kind: z.string().max(100).optional(),
      session: sessionKey.optional(),
      all: z.boolean().optional(),
      limit: z.number().int().min(1).max(100_000).optional(),
    })
    .strict(),
  'findings/mark': z.object({ id: findingId, status: z.enum(FINDING_STATUSES), note: z.string().max(10_000).optional() }).strict(),
  'secrets/redact': z
    .object({
      findings: z.array(findingId).min(1).max(100_000).optional(),
      sessions: z.array(sessionKey).min(1).max(100_000).optional(),
      apply: z.boolean(),
      force: z.boolean().optional(),
    })
    .strict()
    .refine((a) => (a.findings === undefined) !== (a.sessions === undefined), 'give findings or sessions, one of them') as z.ZodType<ArgsOf<'secrets/redact'>>,
  'search/query': z
    .object({
      text: z.string().min(1, 'text: give the text to search for').max(10_000),
      regex: z.boolean().optional(),
      roles: z
        .array(z.enum(SEARCH_ROLES as [string, ...string[]]))
        .max(3)
        .optional(),
      project: z.string().min(1).max(4096).optional(),
      since: z.string().datetime({ offset: true }).optional(),
      offset: z.number().int().min(0).max(1_000_000).optional(),
      limit: z.number().int().min(1).max(200).optional(),
    })
    .strict() as z.ZodType<ArgsOf<'search/query'>>,
  'secrets/reveal': z.object({ id: findingId }).strict(),
  // Shapes only: the values (a real zone, a real date, since before until) are checked by the report
  // module's own rules, the ones the CLI's flags go through.
  'usage/report': z
    .object({
      kind: z.enum(USAGE_REPORT_KINDS),
      timezone: z.string().max(100).optional(),
      since: z.string().max(32).optional(),
      until: z.string().max(32).optional(),
      project: z.string().max(4096).optional(),
      last: z.number().optional(),
      order: z.enum(['asc', 'desc']).optional(),
      weekStart: z.enum(USAGE_WEEK_STARTS).optional(),
    })
    .strict(),
};

/** The arguments, checked; or a message naming every bad field. */
export function validateArgs<M extends MethodName>(method: M, args: unknown): { ok: true; value: ArgsOf<M> } | { ok: false; message: string } {
  const schema = schemas[method] as z.ZodType<ArgsOf<M>> | undefined;
  if (!schema) return { ok: false, message: `unknown method "${String(method)}"` };
  const result = schema.safeParse(args ?? {});
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join('.') || 'arguments';
    return issue.code === 'unrecognized_keys' ? `${where}: unexpected field(s) ${issue.keys.join(', ')}` : `${where}: ${issue.message}`;
  });
  return { ok: false, message: `${method}: ${problems.join('; ')}` };
}
