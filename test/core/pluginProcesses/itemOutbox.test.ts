import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ItemOutbox } from '../../../main/core/pluginProcesses/pluginSide/itemOutbox.js';
import { ITEM_MESSAGE_ITEMS, ITEM_MESSAGES_IN_FLIGHT } from '../../../main/core/pluginProcesses/protocol.js';

test('item outbox: messages are bounded, at most ITEM_MESSAGES_IN_FLIGHT await the host, and the pass is asked to wait beyond that', async () => {
  const sent: { processor: string; items: string[] }[] = [];
  const outbox = new ItemOutbox((processor, items) => sent.push({ processor, items }));
  const a = outbox.open('a');
  assert.equal(outbox.room(), undefined, 'room at first');
  const total = ITEM_MESSAGE_ITEMS * (ITEM_MESSAGES_IN_FLIGHT + 2) + 5;
  for (let i = 0; i < total; i++) a.emit({ i });
  assert.equal(sent.length, ITEM_MESSAGES_IN_FLIGHT, 'no more messages than the window while the host has stored none');
  assert.ok(sent.every((m) => m.items.length === ITEM_MESSAGE_ITEMS));
  const waiting = outbox.room();
  assert.ok(waiting instanceof Promise, 'the pass must wait');
  let drained = false;
  const draining = outbox.drained().then(() => (drained = true));
  outbox.stored();
  outbox.stored();
  await draining;
  assert.ok(drained, 'every full message sent');
  assert.equal(sent.length, ITEM_MESSAGES_IN_FLIGHT + 2);
  outbox.stored();
  await waiting; // room again once fewer than the window await the host
  const rest = a.close();
  assert.equal(rest.length, 5, 'the tail travels with the outcome');
  assert.equal(a.sent + rest.length, total);
  const all = [...sent.flatMap((m) => m.items), ...rest].map((json) => JSON.parse(json).i);
  assert.deepEqual(
    all,
    Array.from({ length: total }, (_, i) => i),
    'in order, none lost or repeated',
  );
});

test('item outbox: a processor that fails drops its unsent messages; a bad item names its index and stays the failure', () => {
  const sent: string[] = [];
  const outbox = new ItemOutbox((processor) => sent.push(processor), 1);
  const a = outbox.open('a');
  const b = outbox.open('b');
  for (let i = 0; i < ITEM_MESSAGE_ITEMS * 3; i++) a.emit(i);
  assert.deepEqual(sent, ['a']);
  a.discard();
  for (let i = 0; i < ITEM_MESSAGE_ITEMS; i++) b.emit(i);
  outbox.stored();
  assert.deepEqual(sent, ['a', 'b'], "a's waiting messages were dropped, b's goes next");
  a.emit('ignored after discard');
  const c = outbox.open('c');
  c.emit(1);
  assert.throws(() => c.emit({ x: Number.NaN }), /item 1 cannot be stored as JSON: contains the number NaN/);
  assert.throws(() => c.emit(2), /item 1 cannot be stored as JSON/, 'later emits fail with the same reason');
  assert.match(String(c.failure?.message), /item 1/);
});
