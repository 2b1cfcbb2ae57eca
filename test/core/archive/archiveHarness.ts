// What the archive's tests share: a session root with a JavaScript and a SQL processor, records to fill
// sessions with, and reading an archived copy back.
import { createHash } from 'node:crypto';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SessionArchive } from '../../../main/core/archive/sessionArchive.js';
import { Engine } from '../../../main/core/engine.js';
import { SessionFile, type SessionEntry } from '../../../main/core/sessionFile.js';
import { assistantRecord, countingPlugin, tempDir, userRecord, writePlugin, writeSession } from '../../helpers.js';

export const SQL_LINES =
  "export default { name: 'sql-lines', columns: { uuid: 'VARCHAR', type: 'VARCHAR' }, " +
  "sql: 'SELECT session_file, line_no, uuid, type FROM records ORDER BY line_no' };";

export async function setup(options: { archive?: string } = {}) {
  const dir = tempDir();
  const root = join(dir, 'sessions');
  const plugins = join(dir, 'plugins');
  const archive = options.archive ?? join(dir, 'archive');
  writePlugin(plugins, 'counting', countingPlugin('counting'));
  writePlugin(plugins, 'sql-lines', SQL_LINES);
  const open = () => Engine.open({ state: join(dir, 'state.duckdb'), sessions: root, plugins: [plugins], builtins: false, pluginProcesses: 1, archive });
  /** The built-in processors instead (secrets, for the redaction cases). */
  const openBuiltins = () =>
    Engine.open({ state: join(dir, 'state.duckdb'), sessions: root, builtins: true, pluginProcesses: 1, home: join(dir, 'home'), archive });
  return { dir, root, plugins, archive, open, openBuiltins };
}

/** A GitHub token the secrets processor finds (built from parts, so this file holds none). */
export const GITHUB_TOKEN = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;

export function records(n: number, tag: string) {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(i % 2 === 0 ? userRecord(`${tag} question ${i} ${'x'.repeat(i % 50)}`) : assistantRecord(`${tag} answer ${i}`));
  return out;
}

export const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

export async function archivedBytes(entry: SessionEntry): Promise<Buffer> {
  const file = await SessionFile.open(entry);
  try {
    return Buffer.from(file.readAll());
  } finally {
    await file.close();
  }
}

export async function items(engine: Engine, processor: string) {
  return engine.store.db.all(
    `SELECT session_file, item_index, item FROM processor_items WHERE processor_name = '${processor}' ORDER BY session_file, item_index`,
  );
}

/** Every file under the archive folder but the manifest's, relative to it. */
export function filesOnDisk(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.startsWith('archive.duckdb')) out.push(relative(folder, path));
    }
  };
  walk(folder);
  return out.sort();
}

/** The files the manifest names: own data files holding members, and listed packs. */
export async function filesNamed(archive: SessionArchive): Promise<string[]> {
  const files = new Set((await archive.manifest.packs()).map((p) => p.file));
  for (const v of await archive.manifest.versions()) {
    if (v.members.some((m) => m.pack === undefined) || v.members.length === 0) files.add(v.dataFile);
  }
  return [...files].sort();
}

/** Sessions last changed two hours ago (settled), at least `bytes` of them: enough for packing between runs. */
export function writeSettledSessions(root: string, bytes: number): void {
  const twoHoursAgo = (Date.now() - 2 * 3600_000) / 1000;
  let written = 0;
  for (let i = 0; written < bytes; i++) {
    const lines = Array.from({ length: 2000 }, (_, j) => userRecord(`session ${i} line ${j} ${Math.sin(i * 1000 + j).toString(36)}`));
    const path = writeSession(root, `p${i % 4}/s${i}.jsonl`, lines);
    utimesSync(path, twoHoursAgo, twoHoursAgo);
    written += statSync(path).size;
  }
}
