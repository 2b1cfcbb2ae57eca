import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SessionEntry } from '../sessionFile.js';
import type { StateStore } from '../store/stateStore.js';
import { selectCandidates } from './candidates.js';
import type { ProcessorRun } from './processorRun.js';

/**
 * One runner's claims on a shared store. Before dispatch, a window of sessions is claimed per processor;
 * a granted session's state is read again (another runner may have processed it since this run's
 * snapshot) and it is dispatched only if still due; a session another runner holds is deferred. Leases
 * are renewed while the run lasts, so only a runner that died (or hung) loses them.
 */
export class Leases {
  /** Unique per run: host and process for people reading session_claims, a random part for uniqueness. */
  readonly runnerId = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private readonly renewal: NodeJS.Timeout;
  private renewing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: StateStore,
    private readonly leaseMs: number,
    private readonly warn: (message: string) => void,
  ) {
    this.renewal = setInterval(
      () => {
        this.renewing = store.renewClaims(this.runnerId, leaseMs).catch((error: unknown) => {
          this.warn(`could not renew session leases (another runner may take these sessions once they expire): ${(error as Error).message}`);
        });
      },
      Math.max(50, leaseMs / 3),
    );
    this.renewal.unref();
  }

  async claim(entries: SessionEntry[], runs: ProcessorRun[]): Promise<void> {
    for (const run of runs) {
      const wanted = entries.filter((e) => {
        const c = run.candidates.get(e.sessionKey);
        return c !== undefined && !c.quarantinedUnread; // a quarantined, untouched session is not read: nothing to claim
      });
      if (wanted.length === 0) continue;
      const granted = new Set(
        await this.store.claim(
          this.runnerId,
          this.leaseMs,
          run.processor.name,
          wanted.map((e) => e.sessionKey),
        ),
      );
      const fresh = granted.size > 0 ? await this.store.snapshot(run.processor.name, [...granted]) : null;
      for (const entry of wanted) {
        if (!granted.has(entry.sessionKey)) {
          run.deferred.add(entry.sessionKey);
          continue;
        }
        const [candidate] = selectCandidates([entry], fresh!, run.processor.version);
        if (candidate) run.candidates.set(entry.sessionKey, candidate);
        else run.elsewhere(entry.sessionKey);
      }
    }
  }

  /** Between looks at deferred sessions: a fraction of a lease, at most a second. */
  pause(): Promise<void> {
    return new Promise((done) => setTimeout(done, Math.min(1000, this.leaseMs / 4)));
  }

  /** Stops renewing and gives back whatever is still claimed. */
  async end(): Promise<void> {
    clearInterval(this.renewal);
    await this.renewing;
    await this.store.releaseClaims(this.runnerId).catch((error: unknown) => {
      this.warn(`could not release session leases (they expire on their own): ${(error as Error).message}`);
    });
  }
}
