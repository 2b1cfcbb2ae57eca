// The worker thread half of statFiles: lstat the paths it was given, send the results back (transferred).
import { parentPort, workerData } from 'node:worker_threads';
import { statRange, type FileStats } from './statFiles.js';

const paths = workerData as string[];
const stats: FileStats = { kind: new Uint8Array(paths.length), size: new Float64Array(paths.length), mtimeMs: new Float64Array(paths.length), errors: new Map() };
statRange(paths, 0, paths.length, stats, 0);
parentPort!.postMessage(stats, [stats.kind.buffer, stats.size.buffer, stats.mtimeMs.buffer] as ArrayBuffer[]);
