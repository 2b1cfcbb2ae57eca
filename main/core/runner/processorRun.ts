import { randomUUID } from 'node:crypto';
import type { LoadedProcessor } from '../plugins/loader.js';
import type { ProcessorOutcome } from '../pluginProcesses/protocol.js';
import type { SessionEntry } from '../sessionFile.js';
import type { SessionOutcome } from '../store/types.js';
import type { Candidate } from './candidates.js';
import type { StagedItems } from './itemStaging.js';
import { emptyStats, type RunStats } from './stats.js';

/**
 * The bookkeeping of one processor within a run: its candidates, its cap and budget, its stats and the
 * outcomes waiting for the next batch commit. Several of them share one pass over the sessions.
 */
export class ProcessorRun {
  readonly runId = randomUUID();
  readonly stats: RunStats;
  /** Candidates by session key. */
  readonly candidates = new Map<string, Candidate>();
  /** Processor calls finished (successes and failures; skips are free). */
  calls = 0;
  /** Calls dispatched and not yet finished. */
  inFlight = 0;
  /** Sessions decided (any outcome), for progress. */
  done = 0;
  pending: SessionOutcome[] = [];
  /** Items of the pending outcomes, in memory or staged in the store. */
  pendingItems = 0;
  /** Shared store: sessions decided without a row to write, whose claims end with the next commit. */
  released: string[] = [];
  /** Shared store: candidates another runner holds a lease on, tried again once the pass is over. */
  readonly deferred = new Set<string>();
  /** Every candidate decided: its last outcomes are being committed and its run row finished. */
  finishing = false;
  /** Its processor_runs row is finished: a later failure of the shared run does not touch it. */
  ended = false;

  /** `cancel`: this processor's cancel signal (the whole run's or its own). */
  constructor(
    readonly processor: LoadedProcessor,
    candidates: Candidate[],
    private readonly claims = false,
    readonly cancel?: AbortSignal,
  ) {
    this.stats = emptyStats(processor.name, this.runId);
    for (const c of candidates) this.candidates.set(c.entry.sessionKey, c);
    this.stats.scanned = candidates.length;
  }

  capped(sessionKey: string): void {
    this.stats.capped++;
    this.done++;
    this.release(sessionKey);
  }

  quarantined(sessionKey: string): void {
    this.stats.quarantined++;
    this.done++;
    this.release(sessionKey);
  }

  vanished(sessionKey: string): void {
    this.stats.vanished++;
    this.done++;
    this.release(sessionKey);
  }

  /** Another runner has it, or has processed it since this run's snapshot. */
  elsewhere(sessionKey: string): void {
    this.stats.elsewhere++;
    this.done++;
    this.candidates.delete(sessionKey);
    this.release(sessionKey);
  }

  private release(sessionKey: string): void {
    if (this.claims) this.released.push(sessionKey);
  }

  /** Records what the plugin process reported for this processor on one session; `staged`: its items staged meanwhile. */
  record(entry: SessionEntry, outcome: ProcessorOutcome, readAt: Date, fileHash: string | null, bytesRead: number, staged?: StagedItems): void {
    this.done++;
    this.stats.bytes_read += bytesRead;
    switch (outcome.kind) {
      case 'skipped':
        // Rule 2 makes the hash-equal skip safe; storing this read time ends the rehashing of a file that was
        // touched but not changed (its mtime is now older than the stored read time).
        this.stats.skipped++;
        if (fileHash === null) return this.release(entry.sessionKey);
        this.pending.push({ kind: 'unchanged', sessionKey: entry.sessionKey, group: entry.group, readAt, fileHash });
        return;
      case 'quarantined':
        this.stats.quarantined++;
        return this.release(entry.sessionKey);
      case 'cancelled':
        this.stats.capped++;
        this.stats.cancelled = true;
        return this.release(entry.sessionKey);
      case 'capped': // rule 4: it waited queued in its plugin process past the time budget, unread
        this.stats.capped++;
        return this.release(entry.sessionKey);
      case 'processed':
        this.calls++;
        this.stats.processed++;
        this.stats.items_extracted += outcome.itemsCount;
        this.stats.malformed_lines += outcome.malformedLines;
        this.pending.push({
          kind: 'processed',
          sessionKey: entry.sessionKey,
          group: entry.group,
          readAt,
          fileHash: fileHash ?? '',
          itemsCount: outcome.itemsCount,
          itemsJson: outcome.itemsJson,
          ...(staged ? { staged } : {}),
        });
        this.pendingItems += outcome.itemsJson.length + (staged?.count ?? 0);
        return;
      case 'failed':
        this.calls++;
        this.stats.errors++;
        this.stats.errors_detail.push({ session: entry.sessionKey, error: outcome.error });
        this.pending.push({ kind: 'failed', sessionKey: entry.sessionKey, group: entry.group, readAt, fileHash, error: outcome.error });
    }
  }
}
