// What a SQL batch decides per (processor, session): which processors are due on a session, which of them
// still have work once its content is known, and the outcome a query's answer makes.
import type { ProcessorOutcome } from '../pluginProcesses/protocol.js';
import type { SessionEntry } from '../sessionFile.js';
import type { ReadFacts } from './fedSession.js';
import type { SqlProcessorSpec } from './recordsSql.js';

/** One SQL processor due for a session of a batch. */
export interface SqlDue {
  processor: SqlProcessorSpec;
  /** Hash of the stored result of this version: the same content is `skipped`. */
  storedHash: string | null;
  /** Hash of the content this processor is quarantined on: the same content stays `quarantined`. */
  quarantinedHash: string | null;
}

export interface SqlBatchSession {
  entry: SessionEntry;
  due: SqlDue[];
}

/**
 * Which processors still have work on each session read: the same content as a processor's stored result
 * is `skipped`, as its quarantined content `quarantined` (decided here, in `outcomes`); the rest, by
 * processor, in `todo`.
 */
export function pendingWork(
  live: SqlBatchSession[],
  facts: Map<string, ReadFacts>,
): { outcomes: Map<string, Record<string, ProcessorOutcome>>; todo: Map<SqlProcessorSpec, string[]> } {
  const outcomes = new Map<string, Record<string, ProcessorOutcome>>();
  const todo = new Map<SqlProcessorSpec, string[]>();
  for (const s of live) {
    const { fileHash } = facts.get(s.entry.sessionKey)!;
    const decided: Record<string, ProcessorOutcome> = {};
    for (const due of s.due) {
      const name = due.processor.name;
      if (due.storedHash !== null && due.storedHash === fileHash) decided[name] = { kind: 'skipped' };
      else if (due.quarantinedHash !== null && due.quarantinedHash === fileHash) decided[name] = { kind: 'quarantined' };
      else {
        const keys = todo.get(due.processor);
        if (keys) keys.push(s.entry.sessionKey);
        else todo.set(due.processor, [s.entry.sessionKey]);
      }
    }
    outcomes.set(s.entry.sessionKey, decided);
  }
  return { outcomes, todo };
}

/** A session's outcome for one processor from what its query gave for it. */
export function outcomeOf(result: string[] | Error | 'cancelled' | undefined, malformedLines: number): ProcessorOutcome {
  if (result instanceof Error) return { kind: 'failed', error: result.message };
  if (result === 'cancelled') return { kind: 'cancelled' };
  return { kind: 'processed', itemsCount: result?.length ?? 0, itemsStreamed: 0, itemsJson: result ?? [], malformedLines };
}
