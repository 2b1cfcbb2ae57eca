// Redaction and reveal through the API contract: the transcript arrives with each secret masked and marked
// (never the secret), `secrets/reveal` reads one from its file on demand, `secrets/redact` dry-runs and
// applies as the CLI does, and bad arguments are refused naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { openService } from './harness.js';
import { writeSession } from '../helpers.js';

const TOKEN = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;
const KEY_BODY = `${'MIIEow'}IBAAKCAQEA1x9Zq3Lm8Rt2Vw5Yb7Nc4Kd6Fg0Hj2Pl8Sx1Qa3We5Rt7Yu9Io0Pa2Sd4Fg6Hj8Kl1Zx3Cv5Bn7Mq9Wf2Gh4`;

/** A prompt with a GitHub token, and a tool call writing an RSA key: an hour old, so it may be redacted. */
function seedSession(root: string, modified: Date): void {
  const file = writeSession(root, 'alice/s.jsonl', [
    { type: 'user', uuid: 'u1', timestamp: '2025-09-01T10:00:00.000Z', message: { role: 'user', content: `deploy with ${TOKEN} please` } },
    {
      type: 'assistant',
      uuid: 'a1',
      timestamp: '2025-09-01T10:00:01.000Z',
      requestId: 'r1',
      message: {
        id: 'm1',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [
          {
            type: 'tool_use',
            id: 't1',
            name: 'Bash',
            input: { command: `printf '-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}\n-----END RSA PRIVATE KEY-----' > k` },
          },
        ],
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    },
  ]);
  utimesSync(file, modified, modified);
}

/** Each bad argument is refused, naming the field or the rule. */
async function assertBadArgumentsRefused(api: Awaited<ReturnType<typeof openService>>, secretId: string): Promise<void> {
  for (const [method, args, message] of [
    ['secrets/redact', { findings: [secretId], sessions: ['alice/s.jsonl'], apply: true }, /give findings or sessions, one of them/],
    ['secrets/redact', { apply: true }, /give findings or sessions, one of them/],
    ['secrets/redact', { findings: ['nope'], apply: false }, /findings\.0: must be a finding id/],
    ['secrets/redact', { sessions: ['../etc/passwd'], apply: false }, /sessions\.0: must be a session key/],
    ['secrets/reveal', { id: 'nope' }, /id: must be a finding id/],
    ['secrets/reveal', { id: '0123456789abcdef' }, /no secret finding 0123456789abcdef/],
  ] as const) {
    const response = await api.service.handle(method, args);
    assert.equal(response.ok, false, `${method} ${JSON.stringify(args)}`);
    if (!response.ok) assert.match(response.error.message, message);
  }
}

test('API: the transcript masks secrets, reveal reads one on demand, redact dry-runs then applies; bad arguments are refused', async () => {
  const hourAgo = new Date(Date.now() - 3_600_000);
  const api = await openService({ builtins: true, seed: (root) => seedSession(root, hourAgo) });
  await api.call('runs/start', { processors: ['secrets'] });
  await api.waitFor((e) => e.type === 'run-finished' && e.processor === 'secrets');
  const [secret, key] = (await api.call('findings/list', { kind: 'secret' })).sort((a, b) => a.line_no - b.line_no);
  assert.deepEqual([secret.kind, key.kind], ['github_token', 'private_key']);

  const page = await api.call('sessions/transcript', { sessionKey: 'alice/s.jsonl' });
  assert.ok(!JSON.stringify(page).includes(TOKEN) && !JSON.stringify(page).includes(KEY_BODY), 'the transcript never carries a secret');
  const [prompt, call] = page.entries;
  assert.equal(prompt.text, 'deploy with ghp_…Yo please');
  assert.deepEqual(prompt.secrets, [{ findingId: secret.id, kind: 'github_token', start: 12, end: 19 }]);
  // In a tool call's input, shown as JSON, the key is found as JSON writes it (its newlines escaped).
  assert.equal(call.secrets?.length, 1);
  assert.equal(call.text.slice(call.secrets![0].start, call.secrets![0].end), key.summary);
  assert.match(call.text, /-----END RSA PRIVATE KEY-----/);

  assert.deepEqual(await api.call('secrets/reveal', { id: secret.id }), { value: TOKEN });
  assert.ok((await api.call('secrets/reveal', { id: key.id })).value.includes(KEY_BODY));

  const dry = await api.call('secrets/redact', { findings: [secret.id], apply: false });
  assert.deepEqual([dry.applied, dry.rows.map((r) => [r.finding_id, r.outcome, r.preview])], [false, [[secret.id, 'would-redact', 'ghp_…Yo']]]);
  const file = join(api.root, 'alice', 's.jsonl');
  assert.ok(readFileSync(file, 'utf8').includes(TOKEN), 'a dry run changes nothing');
  const applied = await api.call('secrets/redact', { findings: [secret.id], apply: true });
  assert.deepEqual(
    applied.rows.map((r) => r.outcome),
    ['redacted'],
  );
  assert.ok(!readFileSync(file, 'utf8').includes(TOKEN));
  await api.waitFor((e) => e.type === 'state-changed' && e.processors.includes('secrets'));
  assert.equal((await api.call('findings/list', { kind: 'secret' })).find((f) => f.id === secret.id)?.status, 'fixed');
  const after = await api.call('sessions/transcript', { sessionKey: 'alice/s.jsonl' });
  assert.equal(after.entries[0].text, 'deploy with [REDACTED:github_token] please');
  assert.equal(after.entries[0].secrets, undefined);
  await assert.rejects(api.call('secrets/reveal', { id: secret.id }), (error: Error) => {
    assert.match(
      error.message,
      /^not-found: the secret of finding [0-9a-f]{16} is not in its file now \(redacted\?\): line 1 no longer holds the secret found there/,
    );
    assert.ok(!error.message.includes(TOKEN));
    return true;
  });
  const history = await api.call('state/history', {});
  assert.ok(!JSON.stringify(history).includes(TOKEN));
  const redaction = history.find((h) => h.action === 'redact')!;
  await assert.rejects(api.call('state/undo', { auditId: redaction.auditId }), /invalid: change #\d+ is a redaction/);

  await assertBadArgumentsRefused(api, secret.id);
});
