// T6, T3 and T4: cold runs at three sizes, then a no-op rerun and a rerun after one appended line over the
// largest one's database.
import { appendFileSync, closeSync, openSync, readdirSync, readSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { alternate } from './measure.mjs';
import { check, everyProcessed, mbps, r3, strip } from './checks.mjs';
import { NO_BUDGET } from './commands.mjs';

/** T6 (and the database T3/T4 start from): cold runs at three sizes of the same session shape. */
export async function t6(b) {
  const points = [];
  let big = null;
  const sizes = [
    ['s2k', 2_000],
    ['s20k', 20_000],
    ['s100k', 100_000],
  ]
    .filter(([, n]) => n <= b.opts.scaleMax)
    .map(([name]) => name);
  for (const name of b.opts.smoke ? ['s100k'] : sizes) {
    const c = b.getCorpus(name);
    const reps = name === 's2k' ? b.opts.reps : 1; // a curve: the big sizes once each
    b.log(`T6 scale: cold run over ${c.files} sessions (${(c.bytes / 1e6).toFixed(0)} MB), ${reps} run(s)`);
    let keep = null;
    const m = await alternate(
      [
        {
          name: 'si',
          run: async () => {
            if (keep) b.dropDb(keep);
            keep = b.freshDb();
            return b.siRun(c.root, keep, NO_BUDGET);
          },
        },
      ],
      reps,
      b.log,
    );
    const checks = [everyProcessed(m.si.last.stats, c.files, `${name} cold run`)];
    points.push({
      corpus: c.name,
      sessions: c.files,
      bytes: c.bytes,
      ...strip(m.si),
      usPerSession: Math.round((m.si.medianS * 1e6) / c.files),
      mbps: mbps(c.bytes, m.si.medianS),
      checks,
    });
    if (name === (b.opts.smoke ? 's100k' : sizes.at(-1))) big = { c, db: keep };
    else b.dropDb(keep);
  }
  const flatness = points.length > 1 ? points.at(-1).usPerSession / points[0].usPerSession : null;
  b.results.targets.push({
    id: 'T6',
    title: 'scale: time per session, cold run',
    points,
    ratio: r3(flatness),
    goal: 'per-session cost flat (largest / 2k ratio <= 1.25)',
    met: flatness === null ? null : flatness <= 1.25,
    checks: points.flatMap((p) => p.checks),
  });
  return big;
}

/** T3: a rerun over the prepared database with nothing changed, against find listing the corpus. */
async function t3(b, c, db) {
  b.log(`T3 no-op rerun over ${c.files} unchanged sessions vs find`);
  const m = await alternate(
    [
      { name: 'find', run: () => b.findRun(c.root) },
      { name: 'si-noop', run: () => b.siRun(c.root, db) },
    ],
    b.opts.reps,
    b.log,
  );
  const stats = m['si-noop'].last.stats;
  const checks = [
    check(
      'no-op rerun: bytes_read is 0 for every processor',
      stats.length > 0 && stats.every((s) => s.bytes_read === 0),
      stats.map((s) => `${s.processor}: ${s.bytes_read}`).join(', '),
    ),
    check(
      'no-op rerun: nothing processed',
      stats.every((s) => s.processed === 0 && s.errors === 0),
      stats.map((s) => `${s.processor}: ${s.scanned} scanned`).join(', '),
    ),
  ];
  const ratio = m['si-noop'].medianS / m.find.medianS;
  b.results.targets.push({
    id: 'T3',
    title: 'no-op rerun',
    corpus: c.name,
    reference: { name: "find -printf '%T@ %s'", ...strip(m.find) },
    subject: { name: 'run (all built-ins), nothing changed', ...strip(m['si-noop']) },
    ratio: r3(ratio),
    goal: 'bytes_read 0, ratio <= 5',
    met: ratio <= 5,
    checks,
  });
}

/** T4: a rerun after one line is appended to one session, against the no-op rerun. */
async function t4(b, c, db) {
  const target = pickAppendTarget(c.root);
  const original = statSync(target.path).size;
  b.log(`T4 one appended line to ${target.key} (${original} bytes) among ${c.files}`);
  let appended = 0;
  const m = await alternate(
    [
      { name: 'si-noop', run: () => b.siRun(c.root, db) },
      {
        name: 'si-append',
        run: async () => {
          appendFileSync(
            target.path,
            `${JSON.stringify({
              type: 'system',
              subtype: 'bench',
              content: `appended line ${++appended}`,
              timestamp: new Date().toISOString(),
              uuid: randomUUID(),
            })}\n`,
          );
          const r = await b.siRun(c.root, db);
          r.size = statSync(target.path).size;
          return r;
        },
      },
    ],
    b.opts.reps,
    b.log,
  );
  const last = m['si-append'].last;
  const checks = [
    check(
      'append: only that session is read, by one shared pass',
      last.stats.length > 0 && last.stats.every((s) => s.processed === 1 && s.scanned === 1 && s.bytes_read === last.size),
      last.stats.map((s) => `${s.processor}: ${s.processed} processed, ${s.bytes_read} of ${last.size} bytes`).join(', '),
    ),
  ];
  truncateSync(target.path, original); // leave the cached corpus as generated (the database is dropped below)
  const ratio = m['si-append'].medianS / m['si-noop'].medianS;
  b.results.targets.push({
    id: 'T4',
    title: 'one appended line',
    corpus: c.name,
    reference: { name: 'no-op rerun', ...strip(m['si-noop']) },
    subject: { name: `run after appending to ${target.key}`, ...strip(m['si-append']) },
    ratio: r3(ratio),
    extraSeconds: r3(m['si-append'].medianS - m['si-noop'].medianS),
    goal: 'costs the no-op rerun plus that file',
    met: null,
    checks,
  });
}

/** T3 and T4 (those wanted) over a prepared database, which is dropped after. */
export async function t3t4(b, prepared) {
  const { c, db } = prepared;
  if (b.wants('T3')) await t3(b, c, db);
  if (b.wants('T4')) await t4(b, c, db);
  b.dropDb(db);
}

/** The first session (in key order) whose last byte is a newline, so an appended line is a line of its own. */
function pickAppendTarget(root) {
  for (const dir of readdirSync(root).sort()) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = join(root, dir, name);
      const size = statSync(path).size;
      if (size === 0) continue;
      const fd = openSync(path, 'r');
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      closeSync(fd);
      if (last[0] === 10) return { path, key: `${dir}/${name}` };
    }
  }
  throw new Error(`no session under ${root} ends with a newline`);
}

/** The largest scale corpus --scale-max allows (smoke runs use the smoke version of the largest). */
export function largestScale(opts) {
  return opts.scaleMax >= 100_000 || opts.smoke ? 's100k' : opts.scaleMax >= 20_000 ? 's20k' : 's2k';
}

/** T3/T4 without T6: one cold run over the 100k corpus to start from. */
export async function prepareNoop(b) {
  const c = b.getCorpus(largestScale(b.opts));
  const db = b.freshDb();
  b.log(`preparing: cold run over ${c.files} sessions`);
  await b.siRun(c.root, db, NO_BUDGET);
  return { c, db };
}
