// `secrets redact` over real temp folders, real stores and the real built-in processors: a dry run changes
// nothing; --apply leaves every line JSON and the file's mode, takes the secret out of the file and the
// store, moves the state so nothing is processed again, audits who and where (never the value); recent
// files, changed lines and bad input are refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Engine } from '../../../main/core/engine.js';
import { listFindings, listSecretSpans } from '../../../main/core/findings.js';
import { undoChange } from '../../../main/core/store/stateEdits.js';
import { countingPlugin, runCli, sleep, tempDir, writePlugin, writeSession } from '../../helpers.js';
import { freshState, stateTest } from '../harness.js';

// Tokens the secrets scanner accepts (random, so no placeholder rule skips them), built at run time.
const TOKEN = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;
const OTHER = `${'ghp'}_${'Zx8Vb2Nm4Lk6Jh1Gf3Ds5Aq7Wp9Eo0RiTuYz'}`;
const PASSWORD = `${'Kp9'}xQ2vLm7Zr4Tw`;
const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

/**
 * Line 1: the token in a prompt. Line 2: a failed tool call whose output holds it twice (content and toolUseResult) with a password.
 * Line 4: the other token.
 */
function seed(root: string, key = 'alice/s.jsonl'): string {
  const output = `export GITHUB_TOKEN=${TOKEN}\nDB_PASSWORD=${PASSWORD}\n"quoted" é → ok`;
  const file = writeSession(root, key, [
    {
      type: 'user',
      uuid: 'u1',
      timestamp: '2025-09-01T10:00:00.000Z',
      cwd: '/home/alice/app',
      message: { role: 'user', content: `deploy with ${TOKEN} please` },
    },
    {
      type: 'user',
      uuid: 'u2',
      timestamp: '2025-09-01T10:00:01.000Z',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: output, is_error: true }] },
      toolUseResult: { stdout: output, n: 1.0 },
    },
    {
      type: 'assistant',
      uuid: 'a1',
      timestamp: '2025-09-01T10:00:02.000Z',
      requestId: 'r1',
      message: {
        id: 'm1',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'done' }],
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    },
    { type: 'user', uuid: 'u3', timestamp: '2025-09-01T10:00:03.000Z', message: { role: 'user', content: `and ${OTHER}` } },
  ]);
  chmodSync(file, 0o640);
  utimesSync(file, HOUR_AGO(), HOUR_AGO());
  return file;
}

const PROCESSORS = ['secrets', 'errors', 'usage'];

async function open(dir: string, root: string, state: string) {
  return Engine.open({ state, sessions: root, builtins: true, pluginProcesses: 1, home: join(dir, 'home') });
}

/** What the store holds for a session, to compare before and after. */
async function storeImage(engine: Engine) {
  const db = engine.store.db;
  return {
    state: await db.all('SELECT processor_name, file_hash, processed_at FROM session_processor_state ORDER BY 1'),
    items: await db.all('SELECT processor_name, item_index, item::VARCHAR AS item FROM processor_items ORDER BY 1, 2'),
    audit: await db.all('SELECT audit_id FROM state_audit'),
  };
}

type SecretSpans = Awaited<ReturnType<typeof listSecretSpans>>;

/** A dry run lists what it would redact and leaves the file, the store and the folder as they were. */
async function assertDryRunChangesNothing(engine: Engine, file: string, original: Buffer): Promise<void> {
  const before = await storeImage(engine);
  const mtime = statSync(file).mtimeMs;

  const dry = await engine.redactSecrets({ sessions: ['alice/s.jsonl'] }, { apply: false, via: 'test' });
  assert.deepEqual(
    dry.rows.map((r) => [r.line_no, r.kind, r.preview, r.outcome, r.reason]),
    [
      [1, 'github_token', 'ghp_…Yo', 'would-redact', null],
      [2, 'github_token', 'ghp_…Yo', 'would-redact', null],
      [2, 'generic_secret', 'Kp9x…Tw', 'would-redact', null],
      [4, 'github_token', 'ghp_…Yz', 'would-redact', null],
    ],
  );
  assert.deepEqual(readFileSync(file), original, 'a dry run leaves the file');
  assert.equal(statSync(file).mtimeMs, mtime);
  assert.deepEqual(await storeImage(engine), before, 'and the store');
  assert.deepEqual(readdirSync(dirname(file)), ['s.jsonl'], 'and writes nothing beside it');
}

/** Every secret is gone from the file; every line is still JSON, the rest of each line as it was, and the mode kept. */
function assertFileRedacted(file: string, original: Buffer): void {
  const text = readFileSync(file, 'utf8');
  for (const secret of [TOKEN, OTHER, PASSWORD]) assert.ok(!text.includes(secret), 'the secret is gone from the file');
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'the file still ends with a newline');
  const records = lines.map((line) => JSON.parse(line) as Record<string, any>);
  assert.equal(records[0].message.content, 'deploy with [REDACTED:github_token] please');
  const output = 'export GITHUB_TOKEN=[REDACTED:github_token]\nDB_PASSWORD=[REDACTED:generic_secret]\n"quoted" é → ok';
  assert.equal(records[1].message.content[0].content, output);
  assert.equal(records[1].toolUseResult.stdout, output, 'both copies of the tool output');
  assert.ok(lines[1].includes('"n":1'), 'the rest of the line is as it was');
  assert.equal(lines[2], original.toString('utf8').split('\n')[2], 'lines without secrets are untouched');
  assert.equal(statSync(file).mode & 0o777, 0o640, 'the file keeps its mode');
  assert.deepEqual(readdirSync(dirname(file)), ['s.jsonl']);
}

/** No stored item holds a secret; each redaction is audited (who and where, never the value) and its finding reviewed. */
async function assertStoreRedacted(engine: Engine, secrets: SecretSpans): Promise<void> {
  const db = engine.store.db;
  const items = await db.all('SELECT item::VARCHAR AS item FROM processor_items');
  assert.ok(!JSON.stringify(items).includes(TOKEN) && !JSON.stringify(items).includes(PASSWORD), 'no stored item holds a secret');
  const audit = await db.all(
    "SELECT action, processor_name, session_file, before, after::VARCHAR AS after FROM state_audit WHERE action = 'redact' ORDER BY audit_id",
  );
  assert.deepEqual(
    audit.map((a) => [a.action, a.processor_name, a.session_file, a.before, JSON.parse(String(a.after))]),
    secrets.map((s) => ['redact', 'secrets', 'alice/s.jsonl', null, { finding_id: s.id, line_no: s.line_no, kind: s.kind, by: 'auditor@test', via: 'test' }]),
  );
  const everything = JSON.stringify(await db.all('SELECT * FROM state_audit'));
  for (const secret of [TOKEN, OTHER, PASSWORD]) assert.ok(!everything.includes(secret.slice(4, -2)), 'the audit never holds a secret');
  const found = await listFindings(db, { kind: 'secret' });
  assert.deepEqual(
    found.map((f) => [f.status, f.note]),
    found.map(() => ['fixed', 'redacted']),
    'each finding reviewed: fixed, "redacted"',
  );
}

/** Nothing is processed again, not even hashed: the state stands for the redacted file. A redaction is not undone. */
async function assertNothingProcessedAgain(engine: Engine, secrets: SecretSpans): Promise<void> {
  const rerun = await engine.run(PROCESSORS);
  assert.deepEqual(
    rerun.map((s) => [s.processor, s.scanned]),
    [
      ['errors', 0],
      ['secrets', 0],
      ['usage', 0],
    ],
  );
  await assert.rejects(
    engine.redactSecrets({ sessions: ['alice/s.jsonl'] }, { apply: true, via: 'test' }).then((r) => {
      assert.deepEqual(
        r.rows.map((x) => [x.outcome, x.reason]),
        secrets.map(() => ['skipped', 'already redacted']),
      );
      throw new Error('checked');
    }),
    /checked/,
  );
  // A redaction is not undone (the secret is gone); its review is.
  const db = engine.store.db;
  const [redact] = await db.all("SELECT audit_id FROM state_audit WHERE action = 'redact'");
  await assert.rejects(undoChange(db, Number(redact.audit_id)), /is a redaction: the secret is gone from the file/);
}

stateTest('secrets redact: a dry run changes nothing; --apply redacts the file and the store, and nothing is processed again', async (backend) => {
  const dir = tempDir('si-redact-');
  const root = join(dir, 'sessions');
  const file = seed(root);
  const original = readFileSync(file);
  const state = await freshState(backend, dir);
  let engine = await open(dir, root, state);
  try {
    await engine.run(PROCESSORS);
    const secrets = await listSecretSpans(engine.store.db, null);
    assert.deepEqual(
      secrets.map((s) => [s.line_no, s.kind, s.preview]),
      [
        [1, 'github_token', 'ghp_…Yo'],
        [2, 'github_token', 'ghp_…Yo'],
        [2, 'generic_secret', 'Kp9x…Tw'],
        [4, 'github_token', 'ghp_…Yz'],
      ],
    );
    await assertDryRunChangesNothing(engine, file, original);

    const applied = await engine.redactSecrets({ sessions: ['alice/s.jsonl'] }, { apply: true, via: 'test', by: 'auditor@test' });
    assert.deepEqual(
      applied.rows.map((r) => r.outcome),
      ['redacted', 'redacted', 'redacted', 'redacted'],
    );
    assert.equal(applied.items, 1, 'the tool error kept by the errors processor held the token');
    assertFileRedacted(file, original);

    await assertStoreRedacted(engine, secrets);

    await assertNothingProcessedAgain(engine, secrets);
  } finally {
    await engine.close();
  }

  // The secrets processor on a fresh store finds nothing in the redacted file.
  engine = await open(dir, root, join(dir, 'fresh.duckdb'));
  try {
    const [stats] = await engine.run(['secrets']);
    assert.equal(stats.processed, 1);
    assert.deepEqual(await listSecretSpans(engine.store.db, null), []);
  } finally {
    await engine.close();
  }
});

test('secrets redact: a session written in the last 10 minutes is refused by name, --force redacts it; a changed line is refused for its finding', async () => {
  const dir = tempDir('si-redact-recent-');
  const root = join(dir, 'sessions');
  const file = seed(root);
  const state = join(dir, 'state.duckdb');
  const engine = await open(dir, root, state);
  try {
    await engine.run(PROCESSORS);
  } finally {
    await engine.close();
  }
  // Claude Code rewrote line 4 with another token since it was processed (same length, same place), and the file is fresh.
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[3] = lines[3].replace(OTHER, `${'ghp'}_${'Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0KkLlMm'}`);
  writeFileSync(file, lines.join('\n'));
  const before = readFileSync(file);

  const recent = await runCli(['secrets', 'redact', '--session', 'alice/s.jsonl', '--apply', '--sessions', root, '--state', state]);
  assert.equal(recent.code, 2, recent.stderr);
  assert.match(
    recent.stderr,
    /alice\/s\.jsonl was written to less than a minute ago: Claude Code may still be appending to it; redact it later, or force it \(--force\)/,
  );
  assert.deepEqual(readFileSync(file), before, 'refused: untouched');

  const forced = await runCli(['secrets', 'redact', '--session', 'alice/s.jsonl', '--apply', '--force', '--sessions', root, '--state', state]);
  assert.equal(forced.code, 2, 'one finding was refused');
  assert.match(forced.stdout, /redacted 3 secret\(s\) in 1 session\(s\)/);
  assert.match(
    forced.stderr,
    /^refused: alice\/s\.jsonl line 4 \(github_token ghp_…Yz\): line 4 no longer holds the secret found there: it changed since it was processed/m,
  );
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(TOKEN));
  assert.ok(text.includes('Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0KkLlMm'), 'the changed line is left as it is');
  for (const line of text.split('\n').filter(Boolean)) JSON.parse(line);
});

test('secrets redact CLI: the dry run prints session, line, kind and masked value; bad input exits 2 naming the flag or session', async () => {
  const dir = tempDir('si-redact-cli-');
  const root = join(dir, 'sessions');
  const file = seed(root);
  const state = join(dir, 'state.duckdb');
  assert.equal((await runCli(['run', '--processor', 'secrets', '--sessions', root, '--state', state])).code, 0);
  const before = readFileSync(file);
  const dry = await runCli(['secrets', 'redact', '--all', '--sessions', root, '--state', state]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /│ alice\/s\.jsonl │ 1 +│ github_token +│ ghp_…Yo +│ would-redact │/);
  assert.match(dry.stdout, /│ alice\/s\.jsonl │ 2 +│ generic_secret +│ Kp9x…Tw +│ would-redact │/);
  assert.match(dry.stdout, /dry run: 4 secret\(s\) in 1 session\(s\) would be redacted; nothing changed \(--apply redacts\)/);
  assert.ok(!dry.stdout.includes(TOKEN) && !dry.stderr.includes(TOKEN));
  const json = JSON.parse((await runCli(['secrets', 'redact', '--all', '--json', '--sessions', root, '--state', state])).stdout);
  assert.deepEqual([json.applied, json.rows.length, json.rows[0].outcome], [false, 4, 'would-redact']);
  assert.deepEqual(readFileSync(file), before);
  for (const [args, message] of [
    [[], /secrets redact needs exactly one of --session KEY\.\.\., --finding ID\.\.\. or --all/],
    [['--all', '--session', 'alice/s.jsonl'], /exactly one of .* \(not --session and --all\)/],
    [['--session', 'nobody/x.jsonl'], /--session nobody\/x\.jsonl: no such session in the session folder, and no secret found in it/],
    [['--finding', '0123456789abcdef'], /--finding 0123456789abcdef: no secret finding has this id/],
  ] as const) {
    const result = await runCli(['secrets', 'redact', ...args, '--apply', '--sessions', root, '--state', state]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.deepEqual(readFileSync(file), before, 'nothing changed by bad input');
  const help = await runCli(['secrets', 'redact', '--help']);
  assert.match(help.stdout, /--apply +change the files/);
});

test('secrets redact: one finding, then the rest of its string (the secret moved when the first was redacted); false positives stay unless named', async () => {
  const dir = tempDir('si-redact-one-');
  const root = join(dir, 'sessions');
  const file = writeSession(root, 'bob/b.jsonl', [
    { type: 'user', uuid: 'u1', timestamp: '2025-09-01T10:00:00.000Z', message: { role: 'user', content: `first ${TOKEN} then ${OTHER} end` } },
  ]);
  utimesSync(file, HOUR_AGO(), HOUR_AGO());
  const engine = await open(dir, root, join(dir, 'state.duckdb'));
  try {
    await engine.run(['secrets']);
    const [first, second] = await listSecretSpans(engine.store.db, null);
    assert.deepEqual([first.preview, second.preview], ['ghp_…Yo', 'ghp_…Yz']);
    await engine.store.db.run("INSERT INTO finding_reviews VALUES ($1, 'secrets', 'bob/b.jsonl', 'false-positive', 'a test key', now()::TIMESTAMP)", [
      second.id,
    ]);
    const one = await engine.redactSecrets({ findings: [first.id] }, { apply: true, via: 'test' });
    assert.deepEqual(
      one.rows.map((r) => [r.finding_id, r.outcome]),
      [[first.id, 'redacted']],
    );
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).message.content, `first [REDACTED:github_token] then ${OTHER} end`);
    utimesSync(file, HOUR_AGO(), HOUR_AGO());
    const all = await engine.redactSecrets({ all: true }, { apply: true, via: 'test' });
    assert.deepEqual(
      all.rows.map((r) => [r.finding_id, r.outcome, r.reason]),
      [
        [first.id, 'skipped', 'already redacted'],
        [second.id, 'skipped', 'marked false-positive (name it with --finding to redact it anyway)'],
      ],
    );
    const named = await engine.redactSecrets({ findings: [second.id] }, { apply: true, via: 'test' });
    assert.deepEqual(
      named.rows.map((r) => [r.outcome, r.reason]),
      [['redacted', null]],
      'found again where the first redaction moved it',
    );
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).message.content, 'first [REDACTED:github_token] then [REDACTED:github_token] end');
  } finally {
    await engine.close();
  }
});

test('secrets redact: refused while a run is in progress (a run that read the file before would store what it read)', async () => {
  const dir = tempDir('si-redact-busy-');
  const root = join(dir, 'sessions');
  seed(root);
  const plugins = join(dir, 'plugins');
  writePlugin(plugins, 'slow', countingPlugin('slow', { before: 'await new Promise((r) => setTimeout(r, 3000));' }));
  const engine = await Engine.open({
    state: join(dir, 'state.duckdb'),
    sessions: root,
    plugins: [plugins],
    builtins: true,
    pluginProcesses: 1,
    home: join(dir, 'home'),
  });
  try {
    await engine.run(['secrets']);
    const running = engine.run(['slow']);
    while (engine.runs.list().length === 0) await sleep(20);
    await assert.rejects(engine.redactSecrets({ all: true }, { apply: true, via: 'test' }), (error: Error) => {
      assert.equal(error.name, 'BusyError');
      assert.match(error.message, /processors slow are running: redact when they finish, or cancel them/);
      return true;
    });
    assert.equal((await engine.redactSecrets({ all: true }, { apply: false, via: 'test' })).rows.length, 4, 'a dry run is not refused');
    await running;
  } finally {
    await engine.close();
  }
});
