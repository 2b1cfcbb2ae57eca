// What the host expects of every built-in plugin folder, checked on each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { importPluginModule, loadProcessor, repoRoot, writeSession } from './support.js';
import { SessionFile } from '../../main/core/sessionFile.js';
import { SqlEngine } from '../../main/core/sql/sqlEngine.js';
import { parseProcessor } from '../../main/core/plugins/processorSchema.js';

/** Each built-in plugin folder and the processors it exports, in order. */
const BUILT_IN: Record<string, string[]> = {
  usage: ['usage'],
  tokens: ['tokens'],
  errors: ['errors'],
  summary: ['summary'],
  secrets: ['secrets'],
  audit: ['destructive-commands', 'outside-writes', 'permission-bypass'],
};

test('plugins/ holds exactly the built-in plugin folders listed here', () => {
  const folders = fs
    .readdirSync(path.join(repoRoot(), 'plugins'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  assert.deepEqual(folders.sort(), Object.keys(BUILT_IN).sort());
});

for (const [plugin, names] of Object.entries(BUILT_IN)) {
  test(`${plugin}: a plugin folder declaring the processors it exports`, async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'plugins', plugin, 'package.json'), 'utf8'));
    assert.equal(manifest.name, `session-inspector-${plugin}`);
    assert.equal(manifest.type, 'module');
    assert.deepEqual(manifest.sessionInspector, { apiVersion: 1, processors: names });
    const module = await importPluginModule<{ default: unknown }>(plugin, 'index.js');
    const exported = Array.isArray(module.default) ? module.default : [module.default];
    assert.deepEqual(
      exported.map((p: { name: string }) => p.name),
      names,
    );
  });
}

for (const [plugin, names] of Object.entries(BUILT_IN))
  for (const name of names) {
    test(`${name}: a processor with a typed view that stops when aborted`, async () => {
      const processor = await loadProcessor(name, plugin);
      assert.equal(processor.name, name);
      assert.match(processor.view?.name ?? '', /^[a-z_]+$/);
      assert.ok(Object.keys(processor.view?.columns ?? {}).length > 0);

      if ('sql' in processor) {
        // A SQL processor is stopped by the engine (DuckDB's interrupt); what it must be is valid SQL over records.
        const sql = new SqlEngine();
        try {
          const definition = parseProcessor(processor, name);
          assert.equal(definition.kind, 'sql');
          if (definition.kind === 'sql') assert.deepEqual((await sql.check(definition.sql)).problems, []);
        } finally {
          await sql.close();
        }
        return;
      }
      const file = writeSession([{ type: 'user', message: { role: 'user', content: 'hi' } }]);
      const session = await SessionFile.open({ path: file, sessionKey: 'a/s.jsonl', group: 'a', sizeBytes: 0, mtimeMs: 0 });
      const controller = new AbortController();
      controller.abort(new Error('timed out'));
      const log = { info() {}, warn() {}, error() {} };
      try {
        await assert.rejects(async () => processor.processSession(session, { signal: controller.signal, log, emit() {} }), /timed out/);
      } finally {
        await session.close();
      }
    });
  }
