// `session-inspector search` as a user runs it: hits as JSON, and exit 2 naming the argument or flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli, tempDir, userRecord, writeSession } from '../helpers.js';

test('cli search: finds a prompt at its line, marks the match, and refuses bad input with exit 2 naming it', async () => {
  const dir = tempDir('si-search-cli-');
  const root = join(dir, 'sessions');
  writeSession(root, 'p/s.jsonl', [userRecord('hello'), userRecord('deploy the Platypus release')]);
  const env = { SESSION_INSPECTOR_HOME: join(dir, 'home') };
  const json = await runCli(['search', 'platypus', '--sessions', root, '--json'], { env });
  assert.equal(json.code, 0, json.stderr);
  const { hits } = JSON.parse(json.stdout) as { hits: { sessionKey: string; lineNo: number; role: string; match: string }[] };
  assert.deepEqual(
    hits.map((h) => [h.sessionKey, h.lineNo, h.role, h.match]),
    [['p/s.jsonl', 2, 'user', 'Platypus']],
  );
  const text = await runCli(['search', 'platypus', '--sessions', root, '--no-update'], { env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /p\/s\.jsonl:2 {2}user/);
  assert.match(text.stdout, /deploy the \[\[Platypus\]\] release/);

  const bad = await runCli(['search', '(unclosed', '--regex', '--sessions', root], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /TEXT: "\(unclosed" is not a regular expression RE2 accepts/);
  const role = await runCli(['search', 'x', '--role', 'robot', '--sessions', root], { env });
  assert.equal(role.code, 2);
  assert.match(role.stderr, /--role <role>' argument 'robot' is invalid/);
  const since = await runCli(['search', 'x', '--since', 'yesterday-ish', '--sessions', root], { env });
  assert.equal(since.code, 2);
  assert.match(since.stderr, /--since/);
});
