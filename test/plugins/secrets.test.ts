import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spanDigest, stringAtPath } from '../../main/sdk/index.js';
import { loadProcessor, runProcessor, writeSession } from './support.js';
import { assistantLine, NOISE, text, toolResult, toolUse, userLine } from './lines.js';
import { seeded } from '../faults/corpus.js';

// Credentials are generated here, from a seeded generator, so that no credential-shaped literal sits in
// the repository (where it would trip secret scanners) and every run sees the same values.
const next = seeded(42);
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = `${UPPER}abcdefghijklmnopqrstuvwxyz0123456789`;
const random = (length: number, alphabet = ALNUM) => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
const base64Of = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(next() * 256))).toString('base64');
const preview = (secret: string) => `${secret.slice(0, 4)}…${secret.slice(-2)}`;

const anthropicKey = `sk-ant-${'api03'}-${random(93, `${ALNUM}-_`)}AA`;
const openaiKey = `sk-${'proj'}-${random(120, `${ALNUM}-_`)}`;
const awsKeyId = `${'AKIA'}${random(16, `${UPPER}234567`)}`;
const awsSecret = random(40, `${ALNUM}/+`);
const githubToken = `${'ghp'}_${random(36)}`;
const slackToken = `${'xoxb'}-${random(12, '0123456789')}-${random(13, '0123456789')}-${random(24)}`;
const slackWebhook = `https://hooks.slack.com/services/T${random(10, UPPER)}/B${random(10, UPPER)}/${random(24)}`;
const keyBody = base64Of(400);
const privateKey = `-----BEGIN OPENSSH PRIVATE KEY-----\n${keyBody.match(/.{1,70}/g)!.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
const rsaBody = base64Of(600);
// As a shell command holds it: escaped newlines, not real ones.
const escapedRsaKey = `-----BEGIN RSA PRIVATE KEY-----\\n${rsaBody.match(/.{1,64}/g)!.join('\\n')}\\n-----END RSA PRIVATE KEY-----`;
const dbPassword = `${random(10)}7${random(9)}`;
const apiToken = `${random(30)}42`;
const bearer = random(48, `${ALNUM}-._`);

test('secrets: finds each provider key, private keys and high-entropy assignments, storing only a redacted preview', async () => {
  const secrets = await loadProcessor('secrets');
  const credentialsFile = `[default]\naws_access_key_id = ${awsKeyId}\naws_secret_access_key = ${awsSecret}\n`;
  const file = writeSession([
    // A cut-off line and a blank one first: line_no is the file line, not the position among records.
    '{"type":"user","cut',
    '',
    userLine('u1', 0, `Use this key: ${anthropicKey} please`),
    assistantLine('a1', 1, { id: 'm1', requestId: 'r1' }, [toolUse('t1', 'Bash', { command: `export OPENAI_API_KEY=${openaiKey} && npm test` })]),
    // Claude Code keeps tool output twice (the result block and toolUseResult): each secret is reported once per line.
    userLine('r1', 2, [toolResult('t2', credentialsFile)], {
      toolUseResult: { type: 'text', file: { filePath: '/home/a/.aws/credentials', content: credentialsFile } },
    }),
    assistantLine('a2', 3, { id: 'm2', requestId: 'r2' }, [text(`Your token ${githubToken} is exposed; also ${slackToken}.`)]),
    userLine('u2', 4, [text(`webhook: ${slackWebhook}`)]),
    userLine('r3', 5, [toolResult('t3', privateKey)]),
    userLine('r4', 6, [toolResult('t4', `NODE_ENV=production\nDB_PASSWORD=${dbPassword}\nPORT=3000\n`)]),
    assistantLine('a3', 7, { id: 'm3', requestId: 'r3' }, [toolUse('t5', 'mcp__vault__write', { path: 'app', data: { api_token: apiToken } })]),
    assistantLine('a4', 8, { id: 'm4', requestId: 'r4' }, [
      toolUse('t6', 'Bash', { command: `curl -H "Authorization: Bearer ${bearer}" https://api.example.com/v1/me` }),
    ]),
    assistantLine('a5', 9, { id: 'm5', requestId: 'r5' }, [toolUse('t7', 'Bash', { command: `printf '${escapedRsaKey}' > ~/.ssh/id_rsa` })]),
  ]);
  const { items } = await runProcessor<Record<string, unknown>>(secrets, file);
  // Each item holds where its secret's text sits in its string, and a digest of that text, never the text.
  const lines = readFileSync(file, 'utf8').split('\n');
  const spans = items.map(({ span_start, span_end, span_sha256, ...rest }) => {
    const text = stringAtPath(JSON.parse(lines[Number(rest.line_no) - 1]), String(rest.field_path))!;
    const span = text.slice(Number(span_start), Number(span_end));
    assert.equal(span_sha256, spanDigest(String(rest.location), span), `${rest.location}: the digest is of the span, salted with the location`);
    return { item: rest, span };
  });
  const finding = (kind: string, uuid: string, fieldPath: string, secret: string, record: number) => ({
    kind,
    location: `${uuid}:${fieldPath}`,
    record_uuid: uuid,
    field_path: fieldPath,
    preview: preview(secret),
    line_no: record + 2,
  });
  assert.deepEqual(
    spans.map((s) => s.item),
    [
      finding('anthropic_api_key', 'u1', 'message.content', anthropicKey, 1),
      finding('openai_api_key', 'a1', 'message.content[0].input.command', openaiKey, 2),
      finding('aws_access_key_id', 'r1', 'toolUseResult.file.content', awsKeyId, 3),
      finding('aws_secret_access_key', 'r1', 'toolUseResult.file.content', awsSecret, 3),
      finding('github_token', 'a2', 'message.content[0].text', githubToken, 4),
      finding('slack_token', 'a2', 'message.content[0].text', slackToken, 4),
      finding('slack_webhook', 'u2', 'message.content[0].text', slackWebhook, 5),
      finding('private_key', 'r3', 'message.content[0].content', keyBody, 6),
      finding('generic_secret', 'r4', 'message.content[0].content', dbPassword, 7),
      finding('generic_secret', 'a3', 'message.content[0].input.data.api_token', apiToken, 8),
      finding('bearer_token', 'a4', 'message.content[0].input.command', bearer, 9),
      finding('private_key', 'a5', 'message.content[0].input.command', rsaBody, 10),
    ],
  );
  // The span is the text as found: a private key's whole block (up to its END line), a bearer token without "Bearer".
  assert.deepEqual(
    spans.map((s) => s.span),
    [
      anthropicKey,
      openaiKey,
      awsKeyId,
      awsSecret,
      githubToken,
      slackToken,
      slackWebhook,
      privateKey.slice(0, privateKey.indexOf('-----END')),
      dbPassword,
      apiToken,
      bearer,
      escapedRsaKey.slice(0, escapedRsaKey.indexOf('-----END')),
    ],
  );
  const stored = JSON.stringify(items);
  for (const secret of [anthropicKey, openaiKey, awsKeyId, awsSecret, githubToken, slackToken, slackWebhook, keyBody, rsaBody, dbPassword, apiToken, bearer]) {
    assert.ok(!stored.includes(secret.slice(4, -2)), `the secret ${preview(secret)} must not be stored`);
  }
});

test('secrets: look-alikes are not findings (hashes, UUIDs, base64 images, examples, placeholders, code)', async () => {
  const secrets = await loadProcessor('secrets');
  const sha256 = random(64, '0123456789abcdef');
  const gitSha = random(40, '0123456789abcdef');
  // Image data that happens to contain credential-shaped runs must not be scanned at all.
  const imageData = `${base64Of(3000)}/${'AKIA'}${random(16, UPPER)}/${base64Of(300)}`;
  const file = writeSession([
    ...NOISE,
    userLine('u1', 0, [
      text(`Checksums: sha256 ${sha256}, commit ${gitSha}, request 123e4567-e89b-12d3-a456-426614174000`),
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: imageData } },
    ]),
    userLine('u2', 1, `token: 123e4567-e89b-12d3-a456-426614174000\nsession_token = 9b2f1c3e-4d5a-4b6c-8d7e-0f1a2b3c4d5e`),
    userLine('u3', 2, `<img src="data:image/png;base64,${base64Of(2000)}">\n${base64Of(1500)}`),
    assistantLine('a1', 3, { id: 'm1', requestId: 'r1' }, [
      { type: 'thinking', thinking: 'Let me check the env file.', signature: `${base64Of(200)}${'sk-ant-'}api03-${random(60)}` },
      text(
        [
          'AWS documents the example key AKIAIOSFODNN7EXAMPLE.',
          `Set ANTHROPIC_API_KEY=sk-ant-api03-${'X'.repeat(90)} in your shell.`,
          `GITHUB_TOKEN=ghp_${'x'.repeat(36)}`,
          'OPENAI_API_KEY=your-api-key-here',
          'password=hunter2',
          'const token = getToken();',
          'api_key: process.env.ANTHROPIC_API_KEY',
          'GITHUB_TOKEN=${GITHUB_TOKEN}',
          'password: <your-password>',
          'secret_key = self.settings.secret_key_value',
          'tokenizer_path=/usr/share/models/tokenizer-v2.bin',
          "if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) return parseRsa(pem);",
          'max_tokens: 4096, "integrity": "sha512-' + base64Of(48) + '"',
          'Authorization: Bearer $TOKEN',
        ].join('\n'),
      ),
    ]),
    assistantLine('a2', 4, { id: 'm2', requestId: 'r2' }, [
      toolUse('t1', 'Write', { file_path: '/app/.env.example', password: 'correct horse battery', api_key: 'changeme-please-1234' }),
    ]),
  ]);
  const { items } = await runProcessor(secrets, file);
  assert.deepEqual(items, []);
});

test('secrets: declares the secret_findings view', async () => {
  const secrets = await loadProcessor('secrets');
  assert.deepEqual(secrets.view, {
    name: 'secret_findings',
    columns: {
      kind: 'VARCHAR',
      location: 'VARCHAR',
      record_uuid: 'VARCHAR',
      field_path: 'VARCHAR',
      preview: 'VARCHAR',
      line_no: 'BIGINT',
      span_start: 'INTEGER',
      span_end: 'INTEGER',
      span_sha256: 'VARCHAR',
    },
  });
});

test('secrets: hostile text (repeated headers and prefixes) is scanned in linear time', async () => {
  const secrets = await loadProcessor('secrets');
  const hostile = ['-----BEGIN RSA PRIVATE KEY-----'.repeat(20_000), 'token'.repeat(100_000), 'xoxb-1-'.repeat(50_000), 'password= '.repeat(50_000)];
  const file = writeSession(hostile.map((value, i) => userLine(`h${i}`, i, value)));
  const started = performance.now();
  const { items } = await runProcessor(secrets, file);
  assert.deepEqual(items, []);
  assert.ok(performance.now() - started < 3000, `took ${Math.round(performance.now() - started)} ms`);
});
