// The benchmark table: one row per target (T6 one per corpus size), ratios, MB/s, peak RSS, checks.
import Table from 'cli-table3';

const s = (x) => (x === null || x === undefined ? '—' : x.toFixed(2));
const n = (x) => (x === null || x === undefined ? '—' : String(x));
const verdict = (met) => (met === true ? 'yes' : met === false ? 'NO' : '—');
/** A row under a target's: a subject's detail and its seconds, or a note in the reference column. */
const detail = (name, seconds) => ['', '', '', name, s(seconds), '', '', '', '', ''];
const note = (text) => ['', text, '', '', '', '', '', '', '', ''];

export function printReport(results, write) {
  const table = new Table({
    head: ['target', 'reference', 'ref s', 'subject', 'subj s', 'ratio', 'goal', 'met', 'MB/s', 'peak RSS MB'],
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [22, 30, 8, 30, 8, 7, 24, 5, 8, 8],
  });
  for (const t of results.targets) {
    if (t.id === 'T6') {
      for (const p of t.points)
        table.push([`T6 ${p.sessions} sessions`, '', '', `${p.usPerSession} µs/session`, s(p.medianS), '', '', '', n(p.mbps), n(p.peakRssMb)]);
      table.push(['T6 flatness', '', '', 'largest / 2k µs per session', '', n(t.ratio), t.goal, verdict(t.met), '', '']);
      continue;
    }
    const ref = t.reference ?? {};
    table.push([
      `${t.id} ${t.title}`,
      ref.missing ? `${ref.name}: ${ref.missing}` : ref.name,
      s(ref.medianS),
      t.subject.name,
      s(t.subject.medianS),
      n(t.ratio),
      t.goal,
      verdict(t.met),
      n(t.subject.mbps),
      n(t.subject.peakRssMb),
    ]);
    const pp = t.pluginProcesses;
    if (pp) {
      const row = ['T1 plugin processes', '1 plugin process', s(pp.one.medianS), '2 plugin processes', s(pp.two.medianS), n(pp.speedup)];
      table.push([...row, 'speedup > 1', verdict(pp.speedup > 1), '', n(pp.one.peakRssMb)]);
    }
    if (t.extraReference)
      table.push([
        '',
        t.extraReference.missing ? `${t.extraReference.name}: ${t.extraReference.missing}` : t.extraReference.name,
        s(t.extraReference.medianS),
        '',
        '',
        '',
        '',
        '',
        '',
        n(t.extraReference.peakRssMb),
      ]);
    if (t.queries) for (const [name, seconds] of Object.entries(t.queries)) table.push(detail(name, seconds));
    if (t.index) table.push(detail(`index built (${(t.index.bytes / 1e6).toFixed(0)} MB on disk)`, t.index.buildS));
    if (t.refreshedS !== undefined) table.push(detail('start: the list after the new scan', t.refreshedS));
    if (t.cacheBuildS !== undefined) table.push(detail("columns' cache built once (first list after an upgrade)", t.cacheBuildS));
    if (ref.peakRssMb !== undefined && ref.peakRssMb !== null) table.push(note(`(reference peak RSS ${ref.peakRssMb} MB, ${n(ref.mbps)} MB/s)`));
    if (t.archive) {
      const { firstCopy, packed } = t.archive;
      const pct = (r) => `${(r * 100).toFixed(1)}%`;
      table.push(
        note(`(archive: ${pct(firstCopy.sizeRatio)} as copied, ${pct(packed.sizeRatio)} packed; packing ${s(packed.packingS)}, ${packed.peakRssMb} MB)`),
      );
    }
  }
  write(
    `\nSession Inspector benchmarks (${results.smoke ? 'SMOKE: tiny corpora, timings meaningless' : `median of ${results.reps}, alternated`}; ` +
      `${results.machine.cpus} cpus, node ${results.machine.node})\n`,
  );
  write(table.toString() + '\n');
  for (const t of results.targets)
    for (const c of t.checks) write(`${c.ok ? 'ok  ' : 'FAIL'} ${t.id} ${c.name}${c.ok ? '' : `: ${JSON.stringify(c.detail)}`}\n`);
  if (results.error) write(`ERROR: ${results.error}\n`);
}
