// Correctness checks the targets attach to their results, and the numbers they report.

export const check = (name, ok, detail) => ({ name, ok: Boolean(ok), detail });

export async function tokenTotalsCheck(siQuery, db, c, label) {
  const [row] = await siQuery(
    db,
    `SELECT sum(input_tokens)::BIGINT AS input, sum(output_tokens)::BIGINT AS output,
    sum(cache_creation_input_tokens)::BIGINT AS cache_creation, sum(cache_read_input_tokens)::BIGINT AS cache_read,
    count(*)::BIGINT AS messages FROM token_usage`,
  );
  const want = {
    input: c.stats.tokens.input,
    output: c.stats.tokens.output,
    cache_creation: c.stats.tokens.cacheCreation,
    cache_read: c.stats.tokens.cacheRead,
    messages: c.stats.uniqueMessages,
  };
  const got = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  const ok = Object.keys(want).every((k) => got[k] === want[k]);
  return check(`${label}: tokens totals equal the generator's --stats`, ok, ok ? want : { want, got });
}

export function everyProcessed(stats, files, label) {
  const bad = stats.filter((s) => s.processed !== files || s.errors !== 0);
  return check(
    `${label}: every processor processed all ${files} sessions, no errors`,
    stats.length > 0 && bad.length === 0,
    bad.map((s) => `${s.processor}: ${s.processed} processed, ${s.errors} errors`).join('; ') || `${stats.length} processors`,
  );
}

export const mbps = (bytes, seconds) => +(bytes / 1e6 / seconds).toFixed(1);
export const r3 = (x) => (x === null || x === undefined ? null : +x.toFixed(3));

/** What a side's measurement keeps in the JSON: no stdout. */
export function strip({ medianS, runsS, peakRssMb }) {
  return { medianS: r3(medianS), runsS, peakRssMb: peakRssMb === null ? null : Math.round(peakRssMb) };
}
