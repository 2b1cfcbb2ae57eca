import type { OutcomeGroup } from '../store/outcomeBatch.js';
import type { ProcessorRun } from './processorRun.js';

/**
 * Outcomes are committed in batches: one transaction per this many sessions, items or milliseconds. Items
 * count whether they wait in memory or staged in the store (a big session's commit then comes soon and
 * frees its staging rows).
 */
export const BATCH_LIMITS = { sessions: 500, items: 50_000, ms: 2_000 };

/** What the pipeline takes from each processor's run: its outcomes waiting for a commit. */
export type PendingOutcomes = Pick<ProcessorRun, 'processor' | 'pending' | 'released' | 'pendingItems'>;

/**
 * The outcomes a pass decides, on their way to the store in batches (rule 7: outcomes are committed in
 * batches). A batch commits while the plugin processes go on with the next sessions (awaiting it idled
 * every process for the whole transaction). One commit at a time; dispatch waits only when a second batch
 * has piled up meanwhile, which bounds memory. The first failure fails the run: every later wait throws it.
 */
export class CommitPipeline {
  private running: Promise<void> | null = null;
  private failed: { error: unknown } | null = null;
  private lastCommit: number;

  /** `write`: stores one batch, every processor's group of it in one transaction. */
  constructor(
    private readonly runs: readonly PendingOutcomes[],
    private readonly write: (groups: OutcomeGroup[]) => Promise<void>,
    private readonly limits = BATCH_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.lastCommit = now();
  }

  /** After outcomes were recorded: starts a commit once a batch is full or old enough. */
  async maybeCommit(): Promise<void> {
    // Sessions, not outcomes: five processors' outcomes of 100 sessions are one batch of 100 (counting
    // outcomes committed every 100 sessions, five times as many transactions as meant).
    const sessionsWaiting = this.runs.reduce((n, r) => Math.max(n, r.pending.length), 0);
    const itemsWaiting = this.runs.reduce((n, r) => n + r.pendingItems, 0);
    const { sessions, items, ms } = this.limits;
    if (!(sessionsWaiting >= sessions || itemsWaiting >= items || this.now() - this.lastCommit >= ms)) return;
    if (this.running) {
      if (sessionsWaiting < 2 * sessions && itemsWaiting < 2 * items) return;
      await this.running;
      if (this.running !== null) return; // another task started the next commit meanwhile
    }
    this.start();
  }

  /** Commits everything decided so far, after the commit in flight (if any); throws the first failure. */
  async commitNow(): Promise<void> {
    while (this.running) await this.running;
    this.start();
    await this.settled();
  }

  /** Waits for the commits in flight; throws the first failure. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
    this.throwIfFailed();
  }

  /** Throws the first failure at once (dispatch stops on it rather than reading sessions it cannot store). */
  throwIfFailed(): void {
    if (this.failed) throw this.failed.error;
  }

  /** A failure beside the commits that fails the run just the same (finishing a processor's run row). */
  fail(error: unknown): void {
    this.failed ??= { error };
  }

  private start(): void {
    this.running = this.commit()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.running = null;
      });
  }

  /** Takes every pending outcome at once (before its first await: what is recorded meanwhile waits for the next). */
  private async commit(): Promise<void> {
    const groups = this.runs.map((r) => ({
      processor: r.processor.name,
      version: r.processor.version,
      outcomes: r.pending.splice(0),
      released: r.released.splice(0),
    }));
    for (const r of this.runs) r.pendingItems = 0;
    this.lastCommit = this.now();
    await this.write(groups);
  }
}
