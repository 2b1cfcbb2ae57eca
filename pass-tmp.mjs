// One plugin-process-like pass over a corpus, in this process: CPU of the shared pass with given processors.
import { readdirSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const { runSessionTask } = await import('/work/main/dist/main/core/host/worker/sessionTask.js');
const { registerSdkResolver } = await import('/work/main/dist/main/core/plugins/sdkResolver.js');
registerSdkResolver();
const [root, limit, ...plugins] = process.argv.slice(2);
const procs = plugins.map((p) => { const [name, file] = p.split('='); return { name, entryUrl: pathToFileURL(file).href, timeoutMs: 600000, storedHash: null, quarantinedHash: null }; });
const files = []; for (const d of readdirSync(root).sort()) for (const f of readdirSync(root + '/' + d).sort()) files.push({ path: `${root}/${d}/${f}`, sessionKey: `${d}/${f}`, username: d });
const hooks = { log() {}, phase() {}, cancel: new AbortController().signal };
const t = performance.now(); const c0 = process.cpuUsage(); let bytes = 0;
for (const e of files.slice(0, +limit)) { const st = statSync(e.path); const r = await runSessionTask({ kind: 'session', entry: { ...e, sizeBytes: st.size, mtimeMs: st.mtimeMs }, processors: procs }, hooks); bytes += r.bytesRead; }
const c = process.cpuUsage(c0);
console.log(`${(performance.now() - t).toFixed(0)} ms wall, cpu ${((c.user + c.system) / 1000).toFixed(0)} ms, ${(bytes / 1e6).toFixed(0)} MB`);
