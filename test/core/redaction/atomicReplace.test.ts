// The file replacement under failure: a write that fails, a file appended to while it was being redacted,
// and a redaction killed with SIGKILL halfway through writing each leave the original file whole, and
// what an earlier, killed redaction left beside it is cleared by the next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spanDigest } from '../../../main/sdk/spans.js';
import { prepareRedaction, readSecret, redactSession, type SecretTarget } from '../../../main/core/redaction/redactSession.js';
import { repoRoot, tempDir } from '../../helpers.js';

const TOKEN = `${'ghp'}_${'q7Rz2KpX9mWv4TyL8nBd3HcF6sJg1AeQ0uYo'}`;

/** A session of `filler` lines with the token on the last one, and the target pointing at it. */
function session(dir: string, filler: number): { file: string; target: SecretTarget } {
  const file = join(dir, 's.jsonl');
  const pad = 'x'.repeat(200);
  const lines = Array.from({ length: filler }, (_, i) => JSON.stringify({ type: 'user', uuid: `f${i}`, message: { role: 'user', content: `${i} ${pad}` } }));
  const content = `use ${TOKEN} now`;
  lines.push(JSON.stringify({ type: 'user', uuid: 'u1', message: { role: 'user', content } }));
  writeFileSync(file, `${lines.join('\n')}\n`);
  const location = 'u1:message.content';
  const start = content.indexOf(TOKEN);
  const target = {
    id: 'f1',
    lineNo: filler + 1,
    kind: 'github_token',
    location,
    fieldPath: 'message.content',
    spanStart: start,
    spanEnd: start + TOKEN.length,
    spanSha256: spanDigest(location, TOKEN),
  };
  return { file, target };
}

test('atomic replace: a write that fails leaves the original whole and nothing beside it', () => {
  const dir = tempDir('si-atomic-');
  const { file, target } = session(dir, 3);
  const original = readFileSync(file);
  let writes = 0;
  assert.throws(
    () =>
      redactSession(file, [target], {
        apply: true,
        writeBuffer: () => {
          if (++writes > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
      }),
    /ENOSPC/,
  );
  assert.deepEqual(readFileSync(file), original);
  assert.deepEqual(readdirSync(dir), ['s.jsonl'], 'the temp file is removed');
  assert.deepEqual(readSecret(file, target), { value: TOKEN }, 'the secret is still where it was found');
  // The same redaction, not made to fail, succeeds.
  const { verdicts } = redactSession(file, [target], { apply: true });
  assert.deepEqual(verdicts, [{ id: 'f1', ok: true }]);
  assert.ok(!readFileSync(file, 'utf8').includes(TOKEN));
  assert.match(String((readSecret(file, target) as { reason: string }).reason), /line 4 no longer holds the secret found there/);
});

test('atomic replace: a file appended to after it was read is not replaced (the append would be lost)', () => {
  const dir = tempDir('si-atomic-append-');
  const { file, target } = session(dir, 3);
  const prepared = prepareRedaction(file, [target], { write: true });
  appendFileSync(file, '{"type":"user","uuid":"late"}\n');
  const grown = readFileSync(file);
  assert.throws(() => prepared.commit!(), /s\.jsonl changed while it was being redacted \(appended to\?\): nothing was changed; try again/);
  assert.deepEqual(readFileSync(file), grown);
  assert.deepEqual(readdirSync(dir), ['s.jsonl']);
});

test('atomic replace: SIGKILL halfway through writing leaves the original whole; the next redaction clears what it left', async () => {
  const dir = tempDir('si-atomic-kill-');
  const { file, target } = session(dir, 20_000); // ~4.5 MB, the secret on the last line
  const original = readFileSync(file);
  const module = pathToFileURL(join(repoRoot, 'dist', 'main', 'core', 'redaction', 'redactSession.js')).href;
  // Each buffer written (a chunk of about 1 MB) waits 150 ms: the write takes about a second, and the kill lands in it.
  const script = `
    const { redactSession } = await import(${JSON.stringify(module)});
    const { writeSync } = await import('node:fs');
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let started = false;
    const writeBuffer = (fd, b) => {
      if (!started) process.stdout.write('writing\\n');
      started = true;
      Atomics.wait(pause, 0, 0, 150);
      writeSync(fd, b);
    };
    redactSession(${JSON.stringify(file)}, [${JSON.stringify(target)}], { apply: true, writeBuffer });
    process.stdout.write('done\\n');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  let out = '';
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('writing')) resolve();
    }),
  );
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.ok(!out.includes('done'), 'killed before it finished');
  assert.deepEqual(readFileSync(file), original, 'the original is whole');
  const left = readdirSync(dir).filter((name) => name !== 's.jsonl');
  assert.equal(left.length, 1, 'the temp file the kill left');
  assert.ok(!readFileSync(join(dir, left[0]), 'utf8').includes(TOKEN), 'and it never holds the secret');
  redactSession(file, [target], { apply: true });
  assert.deepEqual(readdirSync(dir), ['s.jsonl'], 'the next redaction removed it');
  assert.ok(!readFileSync(file, 'utf8').includes(TOKEN));
  assert.ok(!existsSync(join(dir, left[0])));
});
