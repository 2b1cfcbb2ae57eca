// Search through the app's API: secrets found on a hit's line never show in its snippet, and a session
// whose file was deleted is still found and opened from the archive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openService } from './harness.js';
import { assistantRecord, userRecord, writeSession } from '../helpers.js';

const TOKEN = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;

async function searchSettled(api: Awaited<ReturnType<typeof openService>>, text: string) {
  for (;;) {
    const page = await api.call('search/query', { text });
    if (!page.index.updating) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('search API: a secret the secrets processor found is masked in snippets, whole or cut at the edge', async () => {
  const api = await openService({
    builtins: true,
    seed: (root) => {
      writeSession(root, 'alice/s.jsonl', [userRecord(`please deploy with ${TOKEN} today`), assistantRecord('deploying now')]);
      writeSession(root, 'alice/t.jsonl', [userRecord(`${'x'.repeat(300)} deploy ${TOKEN}`)]);
    },
  });
  await api.call('sessions/refresh', {});
  await api.call('runs/start', { processors: ['secrets'] });
  await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'secrets');
  const page = await searchSettled(api, 'deploy with');
  assert.equal(page.hits.length, 1);
  const [hit] = page.hits;
  const snippet = hit.before + hit.match + hit.after;
  assert.equal(snippet.includes(TOKEN.slice(4, 20)), false, snippet);
  assert.match(snippet, /ghp_…Yo/);
  assert.equal(hit.match, 'deploy with');

  const byToken = await searchSettled(api, TOKEN.slice(0, 12));
  assert.equal(byToken.hits.length, 2);
  for (const h of byToken.hits) assert.equal((h.before + h.match + h.after).includes(TOKEN.slice(6, 14)), false, JSON.stringify(h));
});

test('search API: a deleted session is found from the archive and its transcript opens there, marked source deleted', async () => {
  const api = await openService({
    builtins: true,
    seed: (root) => {
      writeSession(root, 'proj/kept.jsonl', [userRecord('an ordinary prompt')]);
      writeSession(root, 'proj/gone.jsonl', [userRecord('first line'), userRecord('the zebra crossing question'), assistantRecord('an answer')]);
    },
  });
  await api.call('runs/start', { processors: ['summary'] });
  await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'summary');
  rmSync(join(api.root, 'proj', 'gone.jsonl'));
  await api.call('sessions/refresh', {});
  const page = await searchSettled(api, 'zebra');
  assert.deepEqual(
    page.hits.map((h) => [h.sessionKey, h.lineNo, h.match]),
    [['proj/gone.jsonl', 2, 'zebra']],
  );
  const transcript = await api.call('sessions/transcript', { sessionKey: 'proj/gone.jsonl', fromLine: 2 });
  assert.equal(transcript.sourceDeleted, true);
  assert.equal(transcript.entries[0].line, 2);
  assert.match(transcript.entries[0].text, /zebra crossing/);
});
