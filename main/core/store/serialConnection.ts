import type { Connection, SqlParams } from './database.js';
import type { JsonRow } from './jsonRows.js';

/**
 * One connection used by one statement (or one transaction) at a time: both backends' connections must
 * not interleave statements, so every use waits its turn in a queue. Subclasses provide the connection's
 * statement helpers (`direct`) and say when it can no longer be used.
 */
export abstract class SerialConnection {
  private queue: Promise<unknown> = Promise.resolve();
  protected abstract readonly direct: Connection;
  /** Throws when the connection is closed or lost; checked before each turn. */
  protected abstract assertUsable(): void;

  exclusive<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    const turn = this.queue.then(() => {
      this.assertUsable();
      return fn(this.direct);
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** BEGIN … COMMIT around fn; any throw rolls back, so a unit of work lands whole or not at all. */
  transaction<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
    return this.exclusive(async (c) => {
      await c.run('BEGIN');
      try {
        const result = await fn(c);
        await c.run('COMMIT');
        return result;
      } catch (error) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  all(sql: string, params?: SqlParams): Promise<JsonRow[]> {
    return this.exclusive((c) => c.all(sql, params));
  }

  run(sql: string, params?: SqlParams): Promise<void> {
    return this.exclusive((c) => c.run(sql, params));
  }
}
