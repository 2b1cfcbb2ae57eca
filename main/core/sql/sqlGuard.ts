// What a plugin's SQL may do, decided on DuckDB's own parse tree before it ever runs: one SELECT that
// reads only `records` and `sessions` (and the CTEs it defines itself) and calls no table function that reaches outside.
// Settings alone are not enough: with external access off, DuckDB still lets `COPY ... TO` write inside
// an allowed folder, and a query could read sessions other than the ones being processed.

/** Table functions that only unfold values the query already has. Everything else (read_*, glob, query) is refused. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['unnest', 'generate_series', 'range', 'json_each', 'json_tree']);

/** The relation a SQL processor reads: one row per record of the sessions being processed. */
export const RECORDS_RELATION = 'records';
/** One row per session being processed (with those that have no records), and its malformed lines. */
export const SESSIONS_RELATION = 'sessions';
const READABLE = new Set([RECORDS_RELATION, SESSIONS_RELATION]);
/** Prefix of the host's own temporary tables in the SQL sandbox; plugin SQL may not name them. */
export const HOST_TABLE_PREFIX = 'si_';

type Node = Record<string, unknown>;

function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
  } else if (node !== null && typeof node === 'object') {
    visit(node as Node);
    for (const child of Object.values(node)) walk(child, visit);
  }
}

/**
 * The problems of a parse tree (`json_serialize_sql` output) as plugin SQL; empty when it may run.
 * `serialized` is DuckDB's answer for the plugin's text.
 */
export function selectProblems(serialized: string): string[] {
  const tree = JSON.parse(serialized) as { error?: boolean; error_message?: string; error_type?: string; statements?: unknown[] };
  if (tree.error) {
    // DuckDB serializes only SELECT statements: anything else (COPY, ATTACH, SET, PRAGMA, DDL) lands here.
    const message = String(tree.error_message ?? 'cannot be parsed');
    return [
      /only select/i.test(message)
        ? 'sql must be a single SELECT statement (COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA and DDL are refused)'
        : `sql does not parse: ${message}`,
    ];
  }
  const statements = tree.statements ?? [];
  if (statements.length !== 1) return [`sql must be exactly one SELECT statement, not ${statements.length}`];
  const problems = new Set<string>();
  const cteNames = new Set<string>();
  walk(statements[0], (node) => {
    const map = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const entry of map ?? []) cteNames.add(entry.key.toLowerCase());
  });
  for (const name of cteNames) {
    if (name.startsWith(HOST_TABLE_PREFIX)) problems.add(`sql: the CTE name "${name}" starts with "${HOST_TABLE_PREFIX}", which the host's tables use`);
  }
  walk(statements[0], (node) => {
    if (node.type === 'BASE_TABLE') {
      const table = String(node.table_name ?? '');
      const qualified = Boolean(node.schema_name) || Boolean(node.catalog_name);
      if (qualified || (!READABLE.has(table.toLowerCase()) && !cteNames.has(table.toLowerCase()))) {
        const name = [node.catalog_name, node.schema_name, table].filter(Boolean).join('.');
        problems.add(`sql may read only ${RECORDS_RELATION}, ${SESSIONS_RELATION} and its own CTEs, not "${name}"`);
      }
    } else if (node.type === 'TABLE_FUNCTION') {
      const fn = node.function as Node | undefined;
      const name = String(fn?.function_name ?? '?').toLowerCase();
      if (!ALLOWED_TABLE_FUNCTIONS.has(name) || fn?.schema)
        problems.add(`sql may not call the table function ${name}() (only ${[...ALLOWED_TABLE_FUNCTIONS].join(', ')})`);
    }
  });
  return [...problems];
}

/** Quotes an identifier for DuckDB. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A list literal of strings: ['a', 'b']. */
export function listLiteral(texts: readonly string[]): string {
  return `[${texts.map(literal).join(', ')}]`;
}

/**
 * Whether a DuckDB type text fills exactly the type position of `CAST(NULL AS <type>)`: checked on the
 * parse tree of that query, so a type can never carry more SQL into the statements the host builds.
 */
export function castOnly(serialized: string): boolean {
  const tree = JSON.parse(serialized) as { error?: boolean; statements?: { node: Node }[] };
  if (tree.error || tree.statements?.length !== 1) return false;
  const node = tree.statements[0].node;
  const list = node.select_list as Node[] | undefined;
  const from = node.from_table as Node | undefined;
  if (node.type !== 'SELECT_NODE' || list?.length !== 1 || from?.type !== 'EMPTY') return false;
  if (node.where_clause || node.having || node.qualify || (node.group_expressions as unknown[]).length > 0) return false;
  if ((node.modifiers as unknown[]).length > 0 || (node.cte_map as { map: unknown[] }).map.length > 0) return false;
  const cast = list[0];
  const child = cast.child as Node | undefined;
  return cast.class === 'CAST' && child?.class === 'CONSTANT' && (child.value as { is_null?: boolean } | undefined)?.is_null === true;
}
