// What the runner tests share: a two-record session, an MD5 of a file, setting a file's mtime.
import { readFileSync, utimesSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { assistantRecord, userRecord } from '../../helpers.js';

export const md5 = (path: string) => createHash('md5').update(readFileSync(path)).digest('hex');
export const session = (n: number) => [userRecord(`hello ${n}`), assistantRecord(`hi ${n}`)];

/** Sets a file's mtime to `ms` (epoch milliseconds). */
export const setMtime = (path: string, ms: number) => utimesSync(path, new Date(ms), new Date(ms));
