// T10, the archive (docs/archive.md): a cold run of every built-in with a fresh archive, against the same run
// with --no-archive, alternated; what the archive holds afterwards (its ratio, and that it reads back); and
// packing it (what watch and the app do between runs once sessions settle): its time and the ratio it reaches.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, measure } from './measure.mjs';

/** Returns a target object for results.targets. Every repetition starts from a fresh database and, on the archive side, a fresh archive. */
export async function archiveTarget({ cli, env, corpus, reps, scratch, log }) {
  log(`T10 archive: cold run with a fresh archive vs --no-archive, ${corpus.files} sessions`);
  let n = 0;
  let lastArchive = null;
  const cold = (withArchive) => async () => {
    const db = join(scratch, `t10-${process.pid}-${n}.duckdb`);
    const archive = join(scratch, `t10-archive-${process.pid}-${n++}`);
    const flags = withArchive ? ['--archive', archive] : ['--no-archive'];
    try {
      return await measure(process.execPath, [cli, 'run', '--sessions', corpus.root, '--state', db, '--time-budget', '100000', '--json', ...flags], {
        env,
        stdoutToNull: true,
      });
    } finally {
      for (const f of [db, `${db}.wal`]) rmSync(f, { force: true });
      if (withArchive) {
        if (lastArchive) rmSync(lastArchive, { recursive: true, force: true });
        lastArchive = archive;
      }
    }
  };
  const m = await alternate(
    [
      { name: 'off', run: cold(false) },
      { name: 'on', run: cold(true) },
    ],
    reps,
    log,
  );
  const status = JSON.parse((await measure(process.execPath, [cli, 'archive', 'status', '--archive', lastArchive, '--json'], { env })).stdout);
  log('T10 archive: packing every session (archive compact --all)');
  const packing = await measure(process.execPath, [cli, 'archive', 'compact', '--all', '--archive', lastArchive, '--json'], { env, stdoutToNull: true });
  const packed = JSON.parse((await measure(process.execPath, [cli, 'archive', 'status', '--archive', lastArchive, '--json'], { env })).stdout);
  const verify = await measure(process.execPath, [cli, 'archive', 'verify', '--archive', lastArchive, '--json'], { env, allowFailure: true });
  rmSync(lastArchive, { recursive: true, force: true });
  const ratio = m.on.medianS / m.off.medianS;
  const checks = [
    { name: 'every session archived', ok: status.sessions === corpus.files, detail: `${status.sessions} of ${corpus.files}` },
    { name: 'the archived bytes are the corpus', ok: status.rawBytes === corpus.bytes, detail: `${status.rawBytes} of ${corpus.bytes}` },
    { name: 'packed, the archived bytes are still the corpus', ok: packed.rawBytes === corpus.bytes, detail: `${packed.rawBytes} of ${corpus.bytes}` },
    { name: 'archive verify after packing: intact', ok: verify.code === 0, detail: verify.stdout.slice(0, 200) },
  ];
  return {
    id: 'T10',
    title: 'archive: cold run with archiving vs without',
    corpus: corpus.name,
    reference: { name: 'run --no-archive', medianS: m.off.medianS, runsS: m.off.runsS, peakRssMb: mb(m.off.peakRssMb) },
    subject: { name: 'run with a fresh archive', medianS: m.on.medianS, runsS: m.on.runsS, peakRssMb: mb(m.on.peakRssMb) },
    ratio: +ratio.toFixed(3),
    archive: {
      firstCopy: { compressedBytes: status.packedBytes, sizeRatio: +status.ratio.toFixed(3) },
      packed: {
        compressedBytes: packed.packedBytes,
        sizeRatio: +packed.ratio.toFixed(3),
        packingS: +(packing.ms / 1000).toFixed(2),
        peakRssMb: mb(packing.peakRssMb),
      },
    },
    goal: 'ratio <= 1.3, archive <= 15% of the corpus once packed',
    met: ratio <= 1.3 && packed.ratio <= 0.15,
    checks,
  };
}

const mb = (value) => (value === null || value === undefined ? null : Math.round(value));
