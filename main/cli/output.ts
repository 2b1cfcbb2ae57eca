import Table from 'cli-table3';
import type { Engine } from '../core/engine.js';
import type { JsonRow } from '../core/store/jsonRows.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A readable table of rows; nested values are shown as compact JSON, long cells are cut. */
export function printTable(rows: JsonRow[], columns?: string[], emptyMessage = '(no rows)'): void {
  if (rows.length === 0) {
    process.stdout.write(`${emptyMessage}\n`);
    return;
  }
  const head = columns ?? Object.keys(rows[0]);
  const table = new Table({ head, style: { head: [], border: [] }, wordWrap: false });
  for (const row of rows) table.push(head.map((column) => cell(row[column])));
  process.stdout.write(`${table.toString()}\n`);
}

export function printRows(rows: JsonRow[], json: boolean | undefined, columns?: string[]): void {
  if (json) printJson(rows);
  else printTable(rows, columns);
}

/** Plugin load problems go to stderr on every command that loads plugins; they never stop the others. */
export async function reportPluginErrors(engine: Engine): Promise<void> {
  for (const plugin of (await engine.plugins()).plugins) {
    for (const error of plugin.errors) process.stderr.write(`plugin ${plugin.folder}: ${error}\n`);
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}
