// T1 and T5: cold runs of every built-in processor, over many sessions and over one big one.
import { alternate } from './measure.mjs';
import { everyProcessed, mbps, r3, strip, tokenTotalsCheck } from './checks.mjs';

/** T1: a cold run of every built-in processor against the floor benchmark. */
export async function t1(b) {
  const c = b.getCorpus('a');
  b.log(`T1 cold run, all built-in processors, ${c.files} sessions, ${(c.bytes / 1e6).toFixed(0)} MB`);
  const dbs = [];
  const lastDb = {};
  const cold = (extra, tag) => async () => {
    const db = b.freshDb();
    dbs.push(db);
    lastDb[tag] = db;
    return b.siRun(c.root, db, extra);
  };
  const sides = [
    { name: 'floor', run: () => b.floorRun(c.root) },
    { name: 'si', run: cold(['--plugin-processes', '2'], 'si') },
  ];
  if (!b.opts.smoke) sides.push({ name: 'si-1-process', run: cold(['--plugin-processes', '1'], 'w1') });
  const m = await alternate(sides, b.opts.reps, b.log);
  const checks = [everyProcessed(m.si.last.stats, c.files, 'cold run'), await tokenTotalsCheck(b.siQuery, lastDb.si, c, 'cold run')];
  dbs.forEach(b.dropDb);
  const ratio = m.si.medianS / m.floor.medianS;
  b.results.targets.push({
    id: 'T1',
    title: 'cold run, all processors',
    corpus: c.name,
    reference: { name: 'floor.mjs --threads 2 --md5 --perline', ...strip(m.floor), mbps: mbps(c.bytes, m.floor.medianS) },
    subject: { name: 'run (all built-ins, 2 plugin processes)', ...strip(m.si), mbps: mbps(c.bytes, m.si.medianS) },
    ratio: r3(ratio),
    goal: 'ratio <= 1.0 (1.5 at least), peak RSS < 300 MB',
    met: ratio <= 1.0 && (m.si.peakRssMb ?? 0) < 300,
    checks,
    ...(m['si-1-process']
      ? { pluginProcesses: { one: strip(m['si-1-process']), two: strip(m.si), speedup: r3(m['si-1-process'].medianS / m.si.medianS) } }
      : {}),
  });
  return m.si;
}

/** T5: one big session; its MB/s against T1's. */
export async function t5(b, t1Subject) {
  const c = b.getCorpus('big');
  const biggest = c.stats.biggestFile?.bytes ?? c.bytes;
  b.log(`T5 one big session (${(biggest / 1e6).toFixed(0)} MB)`);
  const dbs = [];
  const m = await alternate(
    [
      { name: 'floor', run: () => b.floorRun(c.root) },
      {
        name: 'si',
        run: async () => {
          const db = b.freshDb();
          dbs.push(db);
          return b.siRun(c.root, db);
        },
      },
    ],
    b.opts.reps,
    b.log,
  );
  const checks = [everyProcessed(m.si.last.stats, c.files, 'big file')];
  dbs.forEach(b.dropDb);
  const siMbps = mbps(c.bytes, m.si.medianS);
  const t1Mbps = t1Subject ? mbps(b.getCorpus('a').bytes, t1Subject.medianS) : null;
  const ratio = t1Mbps ? siMbps / t1Mbps : null;
  b.results.targets.push({
    id: 'T5',
    title: 'one 1 GB session',
    corpus: c.name,
    reference: { name: 'floor.mjs on the same file', ...strip(m.floor), mbps: mbps(c.bytes, m.floor.medianS) },
    subject: { name: 'run (all built-ins)', ...strip(m.si), mbps: siMbps },
    ratio: r3(ratio),
    ratioOf: 'MB/s of this run / MB/s of T1',
    goal: 'peak RSS < 300 MB, >= 0.8 of T1 MB/s',
    met: ratio === null ? null : ratio >= 0.8 && (m.si.peakRssMb ?? 0) < 300,
    checks,
  });
}
