import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { Scheduler, type SchedulerOptions } from '../../../main/core/scheduler/scheduler.js';
import { CadenceSettings } from '../../../main/core/scheduler/cadence.js';
import type { SchedulerEvent } from '../../../main/core/scheduler/events.js';
import type { JsonRow } from '../../../main/core/store/jsonRows.js';
import { Harness } from '../harness.js';
import { assistantRecord, sleep, userRecord, writeSession } from '../../helpers.js';
import { ManualClock } from './manualClock.js';

export const MINUTE = 60_000;

/** Waits (real time) until cond() holds; fails with `what` after timeoutMs. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A processor that counts records, but on the session `gatedKey` first writes `<gate>.started` and waits
 * for the file `gate` to exist (or for ctx.signal): a run that stays in flight until the test lets it go.
 */
export function gatedPlugin(name: string, gate: string, gatedKey = 'alice/a.jsonl', cadenceMinutes = 10): string {
  return `
import { existsSync, writeFileSync } from 'node:fs';
export default {
  name: ${JSON.stringify(name)},
  cadenceMinutes: ${cadenceMinutes},
  async processSession(session, ctx) {
    if (session.sessionKey === ${JSON.stringify(gatedKey)}) {
      writeFileSync(${JSON.stringify(`${gate}.started`)}, '');
      await new Promise((resolve, reject) => {
        const timer = setInterval(() => { if (existsSync(${JSON.stringify(gate)})) { clearInterval(timer); resolve(); } }, 20);
        ctx.signal.addEventListener('abort', () => { clearInterval(timer); reject(ctx.signal.reason); }, { once: true });
      });
    }
    const items = [];
    for await (const record of session.records()) items.push({ type: record.type });
    return { items };
  },
};
`;
}

/** A counting processor with a cadence. */
export function cadencePlugin(name: string, cadenceMinutes = 10): string {
  return `export default { name: ${JSON.stringify(name)}, cadenceMinutes: ${cadenceMinutes},
  async processSession(session) { const items = []; for await (const r of session.records()) items.push({ type: r.type }); return { items }; } };`;
}

export class Gate {
  constructor(readonly path: string) {}
  started = () => existsSync(`${this.path}.started`);
  open(): void {
    writeFileSync(this.path, '');
  }
}

/** Real folders, a real DuckDB file, real plugin processes; a manual clock; a scheduler over them. */
export class SchedulerHarness extends Harness {
  readonly clock = new ManualClock();
  readonly events: SchedulerEvent[] = [];
  readonly settingsFile = join(this.dir, 'schedule.json');
  private schedulers: Scheduler[] = [];

  constructor() {
    super(2);
    writeSession(this.root, 'alice/a.jsonl', [userRecord('one'), assistantRecord('two')]);
    writeSession(this.root, 'bob/b.jsonl', [userRecord('three')]);
    after(async () => {
      for (const s of this.schedulers) await s.stop();
    });
  }

  gate(name: string): Gate {
    return new Gate(join(this.dir, `gate-${name}`));
  }

  async scheduler(options: SchedulerOptions = {}): Promise<Scheduler> {
    const engine = await this.open();
    const scheduler = new Scheduler(engine, {
      clock: this.clock,
      watch: 'off',
      env: {},
      settings: new CadenceSettings(this.settingsFile),
      log: (level, m) => this.logs.push(`${level}: ${m}`),
      ...options,
    });
    scheduler.subscribe((event) => this.events.push(event));
    this.schedulers.push(scheduler);
    return scheduler;
  }

  /** processor_runs of one processor, oldest first, stats parsed. */
  async runs(processor: string): Promise<JsonRow[]> {
    return this.rows(
      `SELECT trigger, started_at, finished_at, stats FROM processor_runs WHERE processor_name = '${processor}' ORDER BY started_at, finished_at NULLS LAST`,
    );
  }

  finished(processor: string): SchedulerEvent[] {
    return this.events.filter((e) => e.type === 'run-finished' && e.processor === processor);
  }
}
