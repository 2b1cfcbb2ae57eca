import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { errorMessage } from '../errors.js';

/**
 * The sandbox connection as a SQL batch uses it: every statement can be interrupted, by the run's cancel or
 * by a processor's time limit (DuckDB checks between vectors).
 */
export class BatchConnection {
  constructor(
    private readonly db: DuckDBConnection,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async exec(sql: string): Promise<void> {
    await this.interruptible(() => this.db.run(sql));
  }

  async rows(sql: string, timeoutMs?: number): Promise<unknown[][]> {
    return this.interruptible(async () => (await this.db.runAndReadAll(sql)).getRowsJS() as unknown[][], timeoutMs);
  }

  /** An appender to si_fed, the temp table of lines Node hands DuckDB (recordsSql.ts). */
  fedAppender(): Promise<DuckDBAppender> {
    return this.db.createAppender('si_fed', 'main', 'temp');
  }

  /** Runs one statement; a cancel or the time limit interrupts it. */
  private async interruptible<T>(fn: () => Promise<T>, timeoutMs?: number): Promise<T> {
    const interrupt = () => this.db.interrupt();
    const signal = this.signal;
    signal?.addEventListener('abort', interrupt);
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            interrupt();
          }, timeoutMs);
    let timedOut = false;
    try {
      return await fn();
    } catch (error) {
      if (timedOut) throw new QueryTimeout(timeoutMs!);
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', interrupt);
    }
  }
}

class QueryTimeout extends Error {
  constructor(readonly ms: number) {
    super(`did not finish within its timeoutMs (${ms} ms)`);
  }
}

/** Why a processor's query failed, in one line a plugin author can act on. */
export function describeQueryError(error: unknown, timeoutMs: number): string {
  if (error instanceof QueryTimeout) return `the query did not finish within timeoutMs (${timeoutMs} ms)`;
  return firstLine(errorMessage(error));
}

export function firstLine(message: string): string {
  return message.split('\n')[0];
}
