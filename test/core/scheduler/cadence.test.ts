import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CadenceSettings, cadenceEnvName, resolveCadence } from '../../../main/core/scheduler/cadence.js';
import { Debouncer } from '../../../main/core/scheduler/debounce.js';
import { estimateRemainingMs } from '../../../main/core/runEvents.js';
import { UsageError } from '../../../main/core/errors.js';
import { tempDir } from '../../helpers.js';
import { ManualClock } from './manualClock.js';

test('cadence: the environment beats the settings, which beat what the processor declares', () => {
  const settings = new CadenceSettings(join(tempDir(), 'schedule.json'));
  const processor = { name: 'bash-commands', cadenceMinutes: 10 };
  assert.equal(cadenceEnvName('bash-commands'), 'SESSION_INSPECTOR_CADENCE_BASH_COMMANDS');
  assert.deepEqual(resolveCadence(processor, settings, {}), { minutes: 10, source: 'processor' });
  settings.set('bash-commands', 3);
  assert.deepEqual(resolveCadence(processor, settings, {}), { minutes: 3, source: 'settings' });
  assert.deepEqual(resolveCadence(processor, settings, { SESSION_INSPECTOR_CADENCE_BASH_COMMANDS: '0.5' }), { minutes: 0.5, source: 'env' });
  assert.deepEqual(resolveCadence(processor, settings, { SESSION_INSPECTOR_CADENCE_BASH_COMMANDS: '' }), { minutes: 3, source: 'settings' });
  for (const bad of ['0', '-1', 'ten', 'Infinity']) {
    assert.throws(
      () => resolveCadence(processor, settings, { SESSION_INSPECTOR_CADENCE_BASH_COMMANDS: bad }),
      (e: Error) => e instanceof UsageError && e.message.startsWith(`SESSION_INSPECTOR_CADENCE_BASH_COMMANDS=${bad}:`),
    );
  }
  settings.set('bash-commands', null);
  assert.deepEqual(resolveCadence(processor, settings, {}), { minutes: 10, source: 'processor' });
});

test('cadence settings persist in their file, refuse nonsense, and a damaged file is named', () => {
  const file = join(tempDir(), 'schedule.json');
  new CadenceSettings(file).set('usage', 2.5);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { version: 1, cadenceMinutes: { usage: 2.5 } });
  assert.equal(new CadenceSettings(file).get('usage'), 2.5);
  assert.throws(() => new CadenceSettings(file).set('usage', 0), /not a number of minutes greater than 0/);
  writeFileSync(file, '{"version":1,"cadenceMinutes":{"usage":"often"}}');
  assert.throws(
    () => new CadenceSettings(file),
    (e: Error) => e instanceof UsageError && e.message.includes(file) && /cadence of "usage"/.test(e.message),
  );
});

test('debounce: fires once after the quiet time, and at the latest maxWait after the first change of an endless burst', () => {
  const clock = new ManualClock(0);
  let fired = 0;
  const debouncer = new Debouncer(clock, 2_000, 10_000, () => fired++);
  for (let i = 0; i < 100; i++) {
    debouncer.trigger();
    clock.advance(10);
  }
  assert.equal(fired, 0);
  clock.advance(1_999 - 10);
  assert.equal(fired, 0);
  clock.advance(1);
  assert.equal(fired, 1);
  assert.equal(debouncer.pending, false);
  // A session appended to every second, without pause: a run every 10 s, not never.
  for (let second = 0; second < 30; second++) {
    debouncer.trigger();
    clock.advance(1_000);
  }
  assert.equal(fired, 4);
});

test('ETA: unknown before the first session, then from the pace so far; zero when done', () => {
  assert.equal(estimateRemainingMs({ done: 0, total: 10, elapsedMs: 500 }), null);
  assert.equal(estimateRemainingMs({ done: 2, total: 10, elapsedMs: 1_000 }), 4_000);
  assert.equal(estimateRemainingMs({ done: 10, total: 10, elapsedMs: 9_000 }), 0);
  assert.equal(estimateRemainingMs({ done: 0, total: 0, elapsedMs: 0 }), 0);
});
