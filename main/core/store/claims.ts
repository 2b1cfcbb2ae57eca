// Claims on a shared (PostgreSQL) store: which runner is processing which (processor, session) pair, under
// a lease on the database's clock. `db` is the store's coordination connection (see StateStore), so claims
// never queue behind a batch commit.
import type { Database } from './database.js';
import type { JsonRow } from './jsonRows.js';

/**
 * Claims (processor, session) pairs for a runner on a shared store: a pair is granted when no other
 * runner holds an unexpired lease on it. Returns the granted pairs; the caller must look at their state
 * again (another runner may have processed them since its snapshot). Leases run on the database's clock.
 */
export async function claimSessions(db: Database, runnerId: string, leaseMs: number, processor: string, sessions: string[]): Promise<string[]> {
  if (sessions.length === 0) return [];
  const params = { processor, runner: runnerId, leaseMs: Math.round(leaseMs), sessions: [...sessions].sort() };
  // Never wait on, or lock, a claim another runner holds: waiting there deadlocked against that runner's
  // commit. Free sessions are inserted (DO NOTHING where a claim exists); expired claims are taken over
  // with SKIP LOCKED. (Shared stores only: DuckDB has no row locks and never needs claims.)
  const fresh = await db.all(
    `INSERT INTO session_claims (processor_name, session_file, runner_id, claimed_at, lease_expires_at)
     SELECT $processor::VARCHAR, k, $runner::VARCHAR, now()::TIMESTAMP, now()::TIMESTAMP + $leaseMs::INTEGER * INTERVAL '1 millisecond'
     FROM unnest($sessions::VARCHAR[]) AS wanted(k) ORDER BY k
     ON CONFLICT (processor_name, session_file) DO NOTHING
     RETURNING session_file`,
    params,
  );
  const expired = await db.all(
    `UPDATE session_claims c SET runner_id = $runner, claimed_at = now()::TIMESTAMP,
       lease_expires_at = now()::TIMESTAMP + $leaseMs::INTEGER * INTERVAL '1 millisecond'
     FROM (SELECT processor_name, session_file FROM session_claims
           WHERE processor_name = $processor AND session_file = ANY($sessions::VARCHAR[]) AND lease_expires_at < now()::TIMESTAMP
           ORDER BY session_file FOR UPDATE SKIP LOCKED) e
     WHERE c.processor_name = e.processor_name AND c.session_file = e.session_file
     RETURNING c.session_file`,
    params,
  );
  return [...fresh, ...expired].map((row) => String(row.session_file));
}

/** Extends every lease the runner holds; returns how many it still holds. */
export async function renewClaims(db: Database, runnerId: string, leaseMs: number): Promise<number> {
  const rows = await db.all(
    `UPDATE session_claims SET lease_expires_at = now()::TIMESTAMP + $2::INTEGER * INTERVAL '1 millisecond' WHERE runner_id = $1 RETURNING 1`,
    [runnerId, Math.round(leaseMs)],
  );
  return rows.length;
}

/** Shared store: the runners holding live leases now, with how many sessions and until when. */
export function activeRunners(db: Database): Promise<JsonRow[]> {
  return db.all(
    `SELECT runner_id, count(*) AS sessions, min(claimed_at) AS since, max(lease_expires_at) AS lease_until
     FROM session_claims WHERE lease_expires_at >= now()::TIMESTAMP GROUP BY runner_id ORDER BY runner_id`,
  );
}

/** Drops every claim of the runner (its run ended, or failed). */
export async function releaseClaims(db: Database, runnerId: string): Promise<void> {
  await db.run('DELETE FROM session_claims WHERE runner_id = $1', [runnerId]);
}
