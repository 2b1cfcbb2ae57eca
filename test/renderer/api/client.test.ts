import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiResponse, ApiTransport } from '../../../main/api/contract.js';
import { ApiCallError, createApiClient, errorMessage } from '../../../renderer/src/api/client.js';
import { ApiRefusal, FakeTransport } from '../fakeTransport.js';

function transportAnswering(response: unknown): ApiTransport {
  return { call: async () => response as ApiResponse<unknown>, subscribe: () => () => {} };
}

test('client: a successful call resolves to the value and passes method and args through', async () => {
  const transport = new FakeTransport({
    'runs/history': (args) => [
      { runId: 'r1', processor: args.processor ?? '?', trigger: 'manual', startedAt: '2025-09-01T00:00:00.000Z', finishedAt: null, stats: null },
    ],
  });
  const api = createApiClient(transport);
  const history = await api.call('runs/history', { processor: 'usage', limit: 5 });
  assert.equal(history[0].processor, 'usage');
  assert.deepEqual(transport.calls, [{ method: 'runs/history', args: { processor: 'usage', limit: 5 } }]);
});

test('client: an error response throws an ApiCallError carrying code and message', async () => {
  const api = createApiClient(
    new FakeTransport({
      'state/update': () => {
        throw new ApiRefusal('conflict', 'the row changed since it was shown: items_extracted is now 7');
      },
    }),
  );
  await assert.rejects(
    api.call('state/update', { processor: 'p', sessionKey: 'a/b.jsonl', changes: { itemsExtracted: 1 }, expected: { itemsExtracted: 0, processedAt: null } }),
    (error: unknown) => {
      assert.ok(error instanceof ApiCallError);
      assert.ok(error instanceof Error);
      assert.equal(error.code, 'conflict');
      assert.equal(error.method, 'state/update');
      assert.deepEqual(error.apiError, { code: 'conflict', message: 'the row changed since it was shown: items_extracted is now 7' });
      assert.equal(errorMessage(error), 'the row changed since it was shown: items_extracted is now 7');
      return true;
    },
  );
});

test('client: a transport that fails is reported as unavailable, naming the method', async () => {
  const api = createApiClient({
    call: async () => {
      throw new TypeError('Failed to fetch');
    },
    subscribe: () => () => {},
  });
  await assert.rejects(api.call('app/info', {}), (error: unknown) => {
    assert.ok(error instanceof ApiCallError);
    assert.equal(error.code, 'unavailable');
    assert.match(error.message, /app\/info/);
    assert.match(error.message, /Failed to fetch/);
    return true;
  });
});

test('client: malformed responses and unknown error codes become internal errors, never values', async () => {
  for (const response of [null, 'Bad Gateway', { value: 1 }, { ok: 'yes', value: 1 }]) {
    await assert.rejects(
      createApiClient(transportAnswering(response)).call('app/info', {}),
      (e: unknown) => e instanceof ApiCallError && e.code === 'internal',
    );
  }
  await assert.rejects(
    createApiClient(transportAnswering({ ok: false, error: { code: 'teapot', message: 'short and stout' } })).call('app/info', {}),
    (e: unknown) => e instanceof ApiCallError && e.code === 'internal' && /teapot/.test(e.message),
  );
});

test('client: subscribe goes to the transport and unsubscribes', () => {
  const transport = new FakeTransport();
  const api = createApiClient(transport);
  const seen: string[] = [];
  const off = api.subscribe((e) => seen.push(e.type));
  transport.emit({ type: 'sessions-changed' });
  off();
  transport.emit({ type: 'sessions-changed' });
  assert.deepEqual(seen, ['sessions-changed']);
});
