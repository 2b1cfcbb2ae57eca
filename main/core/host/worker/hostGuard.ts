import { Worker } from 'node:worker_threads';

/**
 * Ends this plugin process when its host dies, even while plugin code spins in an endless loop on the main
 * thread (then 'disconnect' never gets handled): a small watcher thread sees the parent change (reparented
 * to init) and kills the whole process. Without it, a host killed by SIGKILL leaves a spinning orphan.
 */
export function exitWhenHostDies(everyMs = 1_000): void {
  const source = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      if (process.ppid !== workerData.host) process.kill(process.pid, 'SIGKILL');
    }, workerData.everyMs);
  `;
  const guard = new Worker(source, { eval: true, workerData: { host: process.ppid, everyMs }, resourceLimits: { maxOldGenerationSizeMb: 16 } });
  guard.unref();
}
