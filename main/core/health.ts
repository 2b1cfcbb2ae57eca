import type { Database } from './store/database.js';

/**
 * Health of each loaded processor, from what the store records (runs, failures, leases) and the clock:
 * one place for `status --check`, the metrics and the app's badge. A processor is meant to run on its
 * cadence whichever face runs it (watch, the app, cron), so "overdue" is judged from its runs, not from
 * who should have started them.
 */
export interface HealthThresholds {
  /** Overdue when the latest run started more than this many cadences ago. */
  graceFactor: number;
  /** Failing when more than this share of the latest run's attempted sessions failed. */
  failingShare: number;
  /** Stuck when a run has lasted this many times the median of the recent ones... */
  stuckFactor: number;
  /** ...and at least this long. */
  stuckMinMinutes: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { graceFactor: 2, failingShare: 0.5, stuckFactor: 5, stuckMinMinutes: 10 };

/** Finished runs whose durations make "the usual" for the stuck rule. */
const RECENT_RUNS = 10;

export type ProblemKind = 'overdue' | 'failing' | 'stuck' | 'quarantined' | 'runner-stopped';

export interface HealthProblem {
  kind: ProblemKind;
  /** null for a problem of a runner rather than of one processor. */
  processor: string | null;
  /** What is wrong, and what to do about it, in one line. */
  message: string;
}

export interface ProcessorHealth {
  processor: string;
  cadence_minutes: number;
  last_run_started_at: string | null;
  last_run_finished_at: string | null;
  last_run_seconds: number | null;
  /** When its cadence makes it due next (now, when it never ran). */
  next_due_at: string;
  overdue: boolean;
  failing: boolean;
  stuck: boolean;
  /** Sessions waiting for a person after repeated failures, and since when the oldest has. */
  quarantined: number;
  oldest_quarantined_at: string | null;
  healthy: boolean;
}

export interface Health {
  processors: ProcessorHealth[];
  problems: HealthProblem[];
}

interface Run {
  started: number;
  finished: number | null;
  stats: { error?: unknown; processed?: unknown; errors?: unknown } | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const minutes = (ms: number) => `${Math.round(ms / 60_000).toLocaleString('en-US')} min`;
const num = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function readRecentRuns(db: Database): Promise<Map<string, Run[]>> {
  const runs = new Map<string, Run[]>();
  const recent = await db.all(
    `SELECT processor_name, epoch_ms(started_at) AS started, epoch_ms(finished_at) AS finished, stats FROM (
       SELECT *, row_number() OVER (PARTITION BY processor_name ORDER BY started_at DESC) AS n FROM processor_runs) r
     WHERE n <= ${RECENT_RUNS + 1} ORDER BY processor_name, started_at DESC`,
  );
  for (const r of recent) {
    const list = runs.get(String(r.processor_name)) ?? [];
    list.push({ started: num(r.started), finished: r.finished === null ? null : num(r.finished), stats: r.stats as Run['stats'] });
    runs.set(String(r.processor_name), list);
  }
  return runs;
}

interface Quarantine {
  count: number;
  oldest: number | null;
}

async function readQuarantine(db: Database): Promise<Map<string, Quarantine>> {
  return new Map(
    (
      await db.all(
        `SELECT processor_name, count(*) AS n, epoch_ms(min(first_failed_at)) AS oldest
         FROM session_processor_failures WHERE quarantined GROUP BY processor_name`,
      )
    ).map((r) => [String(r.processor_name), { count: num(r.n), oldest: r.oldest === null ? null : num(r.oldest) }]),
  );
}

type Found = (kind: ProblemKind, message: string) => void;

/**
 * Stuck: the latest run is still going, far longer than the usual. An unfinished run that is not the
 * latest belonged to a process that died; a later run has taken over.
 */
function judgeStuck(latest: Run | undefined, earlier: Run[], nowMs: number, thresholds: HealthThresholds, found: Found): boolean {
  const usual =
    median(
      earlier
        .filter((r) => r.finished !== null)
        .slice(0, RECENT_RUNS)
        .map((r) => r.finished! - r.started),
    ) ?? 0;
  const limit = Math.max(thresholds.stuckMinMinutes * 60_000, thresholds.stuckFactor * usual);
  const stuck = latest !== undefined && latest.finished === null && nowMs - latest.started > limit;
  if (stuck) {
    const running = `a run started ${minutes(nowMs - latest.started)} ago has not finished (usually ${minutes(usual)})`;
    found('stuck', `${running}: stop it, or find the process that died, then run again`);
  }
  return stuck;
}

/** Failing: the latest finished run failed as a whole, or too many of its sessions did. */
function judgeFailing(name: string, latest: Run | undefined, thresholds: HealthThresholds, found: Found): boolean {
  if (latest?.finished == null || !latest.stats) return false;
  const { error, processed, errors } = latest.stats;
  const attempted = num(processed) + num(errors);
  if (error !== undefined && error !== null) {
    found('failing', `its last run failed as a whole: ${String(error)}`);
    return true;
  }
  if (attempted > 0 && num(errors) / attempted > thresholds.failingShare) {
    found('failing', `${num(errors)} of ${attempted} sessions failed in its last run: see \`session-inspector failures --processor ${name}\``);
    return true;
  }
  return false;
}

/** One processor's health; its problems go to `problems`, in the order overdue, stuck, failing, quarantined. */
function judgeProcessor(
  processor: { name: string; cadenceMinutes: number },
  runs: Run[],
  q: Quarantine,
  nowMs: number,
  thresholds: HealthThresholds,
  problems: HealthProblem[],
): ProcessorHealth {
  const name = processor.name;
  const cadenceMs = processor.cadenceMinutes * 60_000;
  const [latest, ...earlier] = runs;
  const found: Found = (kind, message) => problems.push({ kind, processor: name, message: `${name}: ${message}` });

  const overdue = !latest || nowMs - latest.started > thresholds.graceFactor * cadenceMs;
  if (!latest) found('overdue', 'has never run: start `session-inspector watch` (or the app), or run it from cron');
  else if (overdue) {
    const since = `last run started ${minutes(nowMs - latest.started)} ago, its cadence is ${processor.cadenceMinutes} min`;
    found('overdue', `${since}: is \`watch\` (or the app, or cron) still running?`);
  }
  const stuck = judgeStuck(latest, earlier, nowMs, thresholds, found);
  const failing = judgeFailing(name, latest, thresholds, found);
  if (q.count > 0) {
    const waiting = `${q.count} session(s) quarantined since ${iso(q.oldest)}`;
    found('quarantined', `${waiting}: fix the cause, then \`session-inspector rerun --failed --processor ${name}\``);
  }

  return {
    processor: name,
    cadence_minutes: processor.cadenceMinutes,
    last_run_started_at: iso(latest?.started ?? null),
    last_run_finished_at: iso(latest?.finished ?? null),
    last_run_seconds: latest?.finished != null ? (latest.finished - latest.started) / 1000 : null,
    next_due_at: iso(latest ? latest.started + cadenceMs : nowMs)!,
    overdue,
    failing,
    stuck,
    quarantined: q.count,
    oldest_quarantined_at: iso(q.oldest),
    healthy: !overdue && !failing && !stuck && q.count === 0,
  };
}

/**
 * A runner that holds leases it no longer renews has stopped (killed, or its machine is gone): its
 * sessions wait until the leases expire, and then for another runner.
 */
async function stoppedRunners(db: Database, now: Date): Promise<HealthProblem[]> {
  const stopped = await db.all(
    `SELECT runner_id, count(*) AS sessions, epoch_ms(max(lease_expires_at)) AS expired FROM session_claims
     GROUP BY runner_id HAVING max(lease_expires_at) < $now::TIMESTAMP ORDER BY runner_id`,
    { now: now.toISOString() },
  );
  return stopped.map((r) => ({
    kind: 'runner-stopped',
    processor: null,
    message:
      `runner ${String(r.runner_id)} stopped renewing its leases on ${num(r.sessions)} session(s) at ${iso(num(r.expired))}: ` +
      'other runners take them over; check that machine',
  }));
}

/** `processors`: the loaded (so enabled) processors with their cadence as the scheduler resolves it. */
export async function checkHealth(
  db: Database,
  processors: { name: string; cadenceMinutes: number }[],
  now: Date,
  thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
): Promise<Health> {
  const runs = await readRecentRuns(db);
  const quarantine = await readQuarantine(db);
  const nowMs = now.getTime();
  const problems: HealthProblem[] = [];
  const health = processors.map((processor) =>
    judgeProcessor(processor, runs.get(processor.name) ?? [], quarantine.get(processor.name) ?? { count: 0, oldest: null }, nowMs, thresholds, problems),
  );
  if (db.shared) problems.push(...(await stoppedRunners(db, now)));
  return { processors: health, problems };
}
