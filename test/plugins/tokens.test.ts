import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { importPluginModule, loadProcessor, repoRoot, runProcessor, writeSession } from './support.js';
import { assistantLine, at, NOISE, text, toolUse } from './lines.js';

interface Rates {
  input: number;
  output: number;
  cache_write_5m: number;
  cache_write_1h: number;
  cache_read: number;
}
interface PriceEntry extends Rates {
  match: string;
  long_prompt?: Rates & { above_tokens: number };
}
interface PriceTable {
  as_of: string;
  models: PriceEntry[];
}
interface Pricing {
  parsePriceTable(value: unknown): PriceTable;
  loadBundledPrices(): PriceTable;
  findPrice(table: PriceTable, model: string): PriceEntry | undefined;
  canonicalModelId(model: string): string;
  messageCost(entry: PriceEntry, tokens: { input: number; output: number; cacheCreation: number; cacheCreation1h: number; cacheRead: number }): number;
}

const SONNET45 = 'claude-sonnet-4-5-20250929';
const usage = (input: number, output: number, cacheCreation = 0, cacheRead = 0, extra: Record<string, unknown> = {}) => ({
  input_tokens: input,
  output_tokens: output,
  cache_creation_input_tokens: cacheCreation,
  cache_read_input_tokens: cacheRead,
  ...extra,
});

test("tokens: one item per (message.id, requestId), with its largest output_tokens line, its first line's time, cwd and sidechain flag, priced", async () => {
  const tokens = await loadProcessor('tokens');
  const a = { id: 'msg_a', requestId: 'req_a', model: SONNET45 };
  const file = writeSession([
    ...NOISE,
    assistantLine('a1', 0, { ...a, usage: usage(100, 5, 1000, 2000) }, [text('thinking out loud')]),
    assistantLine(
      'a2',
      1,
      { ...a, usage: usage(100, 40, 1000, 2000, { cache_creation: { ephemeral_5m_input_tokens: 600, ephemeral_1h_input_tokens: 400 } }) },
      [toolUse('t1', 'Bash')],
    ),
    assistantLine('a3', 2, { ...a, usage: usage(100, 12, 1000, 2000) }, [toolUse('t2', 'Read')]),
    // Same message id, another request (a retry): a second billed message.
    assistantLine('a4', 3, { id: 'msg_a', requestId: 'req_b', model: SONNET45, usage: usage(50, 10) }, [text('again')]),
    assistantLine('a5', 4, { id: 'msg_c', requestId: 'req_c', model: SONNET45, usage: usage(10, 20) }, [text('sub')], { isSidechain: true }),
    // Neither id nor requestId: nothing to deduplicate on, so each line counts.
    { type: 'assistant', uuid: 'k1', timestamp: at(5), message: { model: SONNET45, content: [], usage: usage(1, 1) } },
    { type: 'assistant', uuid: 'k2', timestamp: at(6), message: { model: SONNET45, content: [], usage: usage(1, 1) } },
    // Lines Claude Code writes itself are not API usage.
    assistantLine('e1', 7, { id: 'msg_e', requestId: 'req_e', model: '<synthetic>', usage: usage(0, 99) }, [text('API Error: 529 Overloaded')], {
      isApiErrorMessage: true,
    }),
    assistantLine('u1', 8, { id: 'msg_u', requestId: 'req_u', model: 'gpt-5', usage: usage(7, 3) }, [text('?')]),
    { type: 'assistant', uuid: 'n1', timestamp: at(9), requestId: 'req_n', message: { id: 'msg_n', content: [], usage: usage(5, 5) } },
    // A prompt over 200K tokens is billed at Sonnet 4's long-context rates, output included.
    assistantLine('l1', 10, { id: 'msg_l', requestId: 'req_l', model: 'claude-sonnet-4-20250514', usage: usage(150_000, 1000, 40_000, 20_000) }, [
      text('long'),
    ]),
    assistantLine('s1', 11, { id: 'msg_s', requestId: 'req_s', model: 'claude-sonnet-4-20250514', usage: usage(1000, 100) }, [text('short')]),
    // A Bedrock model id prices as the Anthropic id.
    assistantLine('h1', 12, { id: 'msg_h', requestId: 'req_h', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', usage: usage(1000, 1000) }, [text('hi')]),
  ]);
  const { items, warnings } = await runProcessor<Record<string, unknown>>(tokens, file);
  // Sonnet 4.5 ($3 in, $15 out, $3.75 5m write, $6 1h write, $0.30 read):
  //   msg_a/req_a 100*3 + 40*15 + 600*3.75 + 400*6 + 2000*0.3 = 6150; msg_a/req_b 50*3 + 10*15 = 300;
  //   msg_c 10*3 + 20*15 = 330; each keyless line 3 + 15 = 18 micro-dollars.
  // Sonnet 4: msg_l (long) 150000*6 + 1000*22.5 + 40000*7.5 + 20000*0.6 = 1234500; msg_s 1000*3 + 100*15 = 4500.
  // Haiku 4.5 ($1/$5): 1000 + 5000 = 6000. NOISE is lines 1-10.
  const cwd = '/home/alice/code/app';
  const message = (
    key: string | null,
    seconds: number,
    model: string | null,
    t: number[],
    cost: number | null,
    line: number,
    more: { sidechain?: boolean; cwd?: string | null } = {},
  ) => ({
    message_key: key,
    timestamp: at(seconds),
    model,
    input_tokens: t[0],
    output_tokens: t[1],
    cache_creation_input_tokens: t[2] ?? 0,
    cache_creation_1h_input_tokens: t[3] ?? 0,
    cache_read_input_tokens: t[4] ?? 0,
    cost_usd: cost,
    sidechain: more.sidechain ?? false,
    cwd: more.cwd === undefined ? cwd : more.cwd,
    line_no: line,
  });
  const expected = [
    message('msg_a:req_a', 0, SONNET45, [100, 40, 1000, 400, 2000], 0.00615, 11),
    message('msg_a:req_b', 3, SONNET45, [50, 10], 0.0003, 14),
    message('msg_c:req_c', 4, SONNET45, [10, 20], 0.00033, 15, { sidechain: true }),
    message(null, 5, SONNET45, [1, 1], 0.000018, 16, { cwd: null }),
    message(null, 6, SONNET45, [1, 1], 0.000018, 17, { cwd: null }),
    message('msg_u:req_u', 8, 'gpt-5', [7, 3], null, 19),
    message('msg_n:req_n', 9, null, [5, 5], null, 20, { cwd: null }),
    message('msg_l:req_l', 10, 'claude-sonnet-4-20250514', [150_000, 1000, 40_000, 0, 20_000], 1.2345, 21),
    message('msg_s:req_s', 11, 'claude-sonnet-4-20250514', [1000, 100], 0.0045, 22),
    message('msg_h:req_h', 12, 'us.anthropic.claude-haiku-4-5-20251001-v1:0', [1000, 1000], 0.006, 23),
  ];
  assert.deepEqual(items, expected);
  // An unpriced model, or none, has a null cost (never 0); as a SQL processor it has no log to say so.
  assert.deepEqual(warnings, []);
});

test('tokens: a session with no API usage yields no rows and no warnings', async () => {
  const tokens = await loadProcessor('tokens');
  const { items, warnings } = await runProcessor(tokens, writeSession([{ type: 'summary', summary: 'Nothing happened', leafUuid: 'x' }, ...NOISE]));
  assert.deepEqual(items, []);
  assert.deepEqual(warnings, []);
});

test('tokens: the view and the version name the price table date', async () => {
  const tokens = await loadProcessor('tokens');
  const { loadBundledPrices } = await importPluginModule<Pricing>('tokens', 'pricing.js');
  const asOf = loadBundledPrices().as_of;
  assert.equal(tokens.version, `3+prices.${asOf}`);
  assert.equal(tokens.view?.name, 'token_usage');
  assert.deepEqual(tokens.view?.columns, {
    message_key: 'VARCHAR',
    timestamp: 'TIMESTAMP',
    model: 'VARCHAR',
    input_tokens: 'BIGINT',
    output_tokens: 'BIGINT',
    cache_creation_input_tokens: 'BIGINT',
    cache_creation_1h_input_tokens: 'BIGINT',
    cache_read_input_tokens: 'BIGINT',
    cost_usd: 'DOUBLE',
    sidechain: 'BOOLEAN',
    cwd: 'VARCHAR',
    line_no: 'BIGINT',
  });
});

test('pricing: family patterns, the longest one winning, and provider model ids', async () => {
  const { loadBundledPrices, findPrice } = await importPluginModule<Pricing>('tokens', 'pricing.js');
  const table = loadBundledPrices();
  const matched = (model: string) => findPrice(table, model)?.match;
  assert.equal(matched('claude-opus-4-5-20251101'), 'claude-opus-4-5*');
  assert.equal(matched('claude-opus-4-1-20250805'), 'claude-opus-4-1*');
  assert.equal(matched('claude-opus-4-20250514'), 'claude-opus-4*');
  assert.equal(matched('claude-sonnet-4'), 'claude-sonnet-4*');
  assert.equal(matched('claude-sonnet-4-6'), 'claude-sonnet-4-6*');
  assert.equal(matched('claude-3-5-haiku-20241022'), 'claude-3-5-haiku*');
  assert.equal(matched('claude-3-sonnet-20240229'), 'claude-3-sonnet*');
  assert.equal(matched('claude-fable-5-1'), 'claude-fable-5-1*');
  assert.equal(matched('claude-sonnet-4-5@20250929'), 'claude-sonnet-4-5*'); // Vertex
  assert.equal(matched('anthropic.claude-3-5-sonnet-20241022-v2:0'), 'claude-3-5-sonnet*'); // Bedrock
  assert.equal(matched('claude-opus-4-6[1m]'), 'claude-opus-4-6*'); // Claude Code's context suffix
  assert.equal(matched('gpt-4o'), undefined);
  assert.equal(matched('<synthetic>'), undefined);
  assert.equal(findPrice(table, 'claude-opus-4-5-20251101')?.output, 25);
  assert.equal(findPrice(table, 'claude-opus-4-1-20250805')?.output, 75);
});

test('pricing: long-prompt rates apply above the threshold only, to every token of the request', async () => {
  const { loadBundledPrices, findPrice, messageCost } = await importPluginModule<Pricing>('tokens', 'pricing.js');
  const haiku55 = findPrice(loadBundledPrices(), 'claude-haiku-5-5');
  assert.ok(haiku55?.long_prompt);
  const request = (input: number) => ({ input, output: 1_000_000, cacheCreation: 0, cacheCreation1h: 0, cacheRead: 0 });
  assert.ok(Math.abs(messageCost(haiku55, request(100_000)) - (0.1 * 0.1 + 0.5)) < 1e-12);
  assert.ok(Math.abs(messageCost(haiku55, request(100_001)) - (0.100001 * 0.5 + 2.5)) < 1e-12);
});

test('pricing: the bundled table is dated, valid, and a malformed table is rejected', async () => {
  const { parsePriceTable } = await importPluginModule<Pricing>('tokens', 'pricing.js');
  const raw = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'plugins', 'tokens', 'prices.json'), 'utf8'));
  assert.match(raw.as_of, /^\d{4}-\d{2}-\d{2}$/);
  assert.doesNotThrow(() => parsePriceTable(raw));
  const entry = { match: 'claude-x*', input: 1, output: 1, cache_write_5m: 1, cache_write_1h: 1, cache_read: 1 };
  assert.throws(() => parsePriceTable({ models: [entry] }), /as_of/);
  assert.throws(() => parsePriceTable({ as_of: '2026-01-01', models: [{ ...entry, output: -1 }] }), /models\[0\]: "output"/);
  assert.throws(() => parsePriceTable({ as_of: '2026-01-01', models: [{ ...entry, match: 'claude-*-x' }] }), /"match"/);
  assert.throws(() => parsePriceTable({ as_of: '2026-01-01', models: [{ ...entry, long_prompt: { ...entry, above_tokens: 0 } }] }), /above_tokens/);
});

test('tokens: counts follow the SDK collector: a non-number or negative count is 0, a fraction is floored, ties keep the first line', async () => {
  const tokens = await loadProcessor('tokens');
  const { ApiMessageCollector } = await import('../../main/sdk/apiMessages.js');
  const m = { id: 'msg_x', requestId: 'req_x', model: SONNET45 };
  const records = [
    assistantLine('x1', 0, { ...m, usage: { input_tokens: '100', output_tokens: 7.9, cache_creation_input_tokens: -5, cache_read_input_tokens: 3 } }, [
      text('a'),
    ]),
    assistantLine('x2', 1, { ...m, usage: { input_tokens: 50, output_tokens: 7, cache_read_input_tokens: 9 } }, [text('b')]),
    assistantLine(
      'y1',
      2,
      {
        id: 'msg_y',
        requestId: 'req_y',
        model: 'claude-opus-4-6[1m]',
        usage: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 10, cache_creation: { ephemeral_1h_input_tokens: 99 } },
      },
      [text('c')],
    ),
    { type: 'assistant', uuid: 'z1', timestamp: at(3), requestId: 'req_z', message: { id: 'msg_z', model: SONNET45, content: [], usage: 'not an object' } },
    // A message takes its first line's model, even when that line names none.
    {
      type: 'assistant',
      uuid: 'w1',
      timestamp: at(4),
      requestId: 'req_w',
      message: { id: 'msg_w', content: [], usage: { input_tokens: 4, output_tokens: 1 } },
    },
    assistantLine('w2', 5, { id: 'msg_w', requestId: 'req_w', model: SONNET45, usage: { input_tokens: 4, output_tokens: 2 } }, [text('d')]),
  ];
  const { items } = await runProcessor<Record<string, unknown>>(tokens, writeSession(records));
  const collector = new ApiMessageCollector();
  for (const record of records) collector.observe(record);
  assert.deepEqual(
    items.map(
      ({
        message_key,
        timestamp,
        model,
        input_tokens,
        output_tokens,
        cache_creation_input_tokens,
        cache_creation_1h_input_tokens,
        cache_read_input_tokens,
      }) => ({
        message_key,
        timestamp,
        model,
        input_tokens,
        output_tokens,
        cache_creation_input_tokens,
        cache_creation_1h_input_tokens,
        cache_read_input_tokens,
      }),
    ),
    [...collector.messages()].map((m) => ({
      message_key: m.key,
      timestamp: m.timestamp,
      model: m.model,
      input_tokens: m.tokens.input,
      output_tokens: m.tokens.output,
      cache_creation_input_tokens: m.tokens.cacheCreation,
      cache_creation_1h_input_tokens: m.tokens.cacheCreation1h,
      cache_read_input_tokens: m.tokens.cacheRead,
    })),
  );
  // msg_x: the first line (output 7.9 floors to 7, ties with the second line: the first is kept).
  assert.equal(items[0].input_tokens, 0);
  assert.equal(items[0].cache_read_input_tokens, 3);
});
