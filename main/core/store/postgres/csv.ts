import { createWriteStream } from 'node:fs';
import type pg from 'pg';
import { UsageError, errorMessage } from '../../errors.js';

const FETCH_ROWS = 5_000;

/** One CSV field (RFC 4180): objects as JSON, NULL as an empty field. */
function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes a header and every row `fetch` yields, a page at a time, to `file`; returns the row count. */
export async function writeCsv(file: string, fetch: (rows: number) => Promise<pg.QueryResult>): Promise<number> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.on('error', (error) => reject(new UsageError(`export: cannot write ${file}: ${errorMessage(error)}`))));
  failed.catch(() => undefined);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : Promise.race([new Promise<void>((done) => out.once('drain', () => done())), failed]));
  let count = 0;
  let header = false;
  try {
    for (;;) {
      const page = await fetch(FETCH_ROWS);
      if (!header) {
        await write(page.fields.map((f) => field(f.name)).join(',') + '\n');
        header = true;
      }
      if (page.rows.length === 0) break;
      await write((page.rows as unknown[][]).map((row) => row.map(field).join(',')).join('\n') + '\n');
      count += page.rows.length;
      if (page.rows.length < FETCH_ROWS) break;
    }
  } finally {
    await Promise.race([new Promise<void>((done) => out.end(() => done())), failed]);
  }
  return count;
}
