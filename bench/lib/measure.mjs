// Running one command and measuring it: wall time and the peak RSS of its whole process tree (the host and
// its plugin child processes), sampled from /proc every SAMPLE_MS. Linux only for RSS; elsewhere it is null.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const SAMPLE_MS = 20;
const PAGE_KB = 4; // x86-64 / arm64 Linux page size; statm counts pages
const HAS_PROC = existsSync('/proc/self/statm');

/** pid -> parent pid for every process (one read of /proc/<pid>/stat each). */
function parents() {
  const map = new Map();
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // comm may hold spaces
      map.set(Number(name), Number(fields[1]));
    } catch {
      // exited meanwhile
    }
  }
  return map;
}

/** Sum of resident set sizes (KB) of pid and all its descendants. */
export function treeRssKb(pid) {
  const ppid = parents();
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of ppid) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let kb = 0;
  for (const p of tree) {
    try {
      kb += Number(readFileSync(`/proc/${p}/statm`, 'latin1').split(' ')[1]) * PAGE_KB;
    } catch {
      // exited meanwhile
    }
  }
  return kb;
}

/**
 * Runs `command args`, returns { ms, peakRssMb, code, stdout, stderr }. stdout is kept (JSON stats);
 * stderr only its tail. Rejects when the exit code is not 0 unless allowFailure.
 */
export function measure(command, args, { env = process.env, cwd, allowFailure = false, stdoutToNull = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', stdoutToNull ? 'ignore' : 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-8000)));
    let peakKb = 0;
    const sample = () => {
      if (HAS_PROC && child.pid) peakKb = Math.max(peakKb, treeRssKb(child.pid));
    };
    const timer = setInterval(sample, SAMPLE_MS);
    setTimeout(sample, 2);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      const ms = performance.now() - started;
      clearInterval(timer);
      const result = { ms, peakRssMb: HAS_PROC ? peakKb / 1024 : null, code, stdout, stderr };
      if ((code !== 0 || signal) && !allowFailure) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}\n${stderr}`));
      } else resolve(result);
    });
  });
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Runs the named commands in alternation (A B A B …) `reps` times, so slow drifts of the machine (other
 * work, thermal, cache) hit every side alike. Each side is { name, run: async (rep) => { ms, peakRssMb, ... } }.
 */
export async function alternate(sides, reps, log) {
  const results = Object.fromEntries(sides.map((s) => [s.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const side of sides) {
      const r = await side.run(rep);
      results[side.name].push(r);
      log?.(`  ${side.name} #${rep + 1}: ${(r.ms / 1000).toFixed(2)} s${r.peakRssMb ? `, ${r.peakRssMb.toFixed(0)} MB` : ''}`);
    }
  }
  return Object.fromEntries(
    sides.map((s) => {
      const runs = results[s.name];
      return [
        s.name,
        {
          medianS: median(runs.map((r) => r.ms)) / 1000,
          runsS: runs.map((r) => +(r.ms / 1000).toFixed(3)),
          peakRssMb: Math.max(...runs.map((r) => r.peakRssMb ?? 0)) || null,
          last: runs.at(-1),
        },
      ];
    }),
  );
}
