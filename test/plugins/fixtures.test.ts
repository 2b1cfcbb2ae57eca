// The processors on real Claude Code transcripts, checked against totals computed here by a different,
// deliberately plain method: read the whole file, parse every line, build maps over all lines at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixturesDir, importPluginModule, loadProcessor, NO_FIXTURES, runProcessor, sessionFiles } from './support.js';

type Line = any;

function parseAll(file: string): { lines: Line[]; malformed: number } {
  const lines: Line[] = [];
  let malformed = 0;
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    if (raw.trim() === '') continue;
    try {
      lines.push(JSON.parse(raw));
    } catch {
      malformed++;
    }
  }
  return { lines, malformed };
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const blocksOf = (line: Line): any[] => (isObj(line) && isObj(line.message) && Array.isArray(line.message.content) ? line.message.content.filter(isObj) : []);
const toolUsesOf = (line: Line) => (line?.type === 'assistant' ? blocksOf(line).filter((b) => b.type === 'tool_use') : []);
const toolResultsOf = (line: Line) => (line?.type === 'user' ? blocksOf(line).filter((b) => b.type === 'tool_result') : []);

/** The usage each billed message ends with: group all its lines, take the one with most output. */
function billedMessages(lines: Line[]): { model: string; usage: Record<string, number> }[] {
  const groups = new Map<string, Line[]>();
  lines.forEach((line, index) => {
    if (line?.type !== 'assistant' || !isObj(line.message) || !isObj(line.message.usage) || line.message.model === '<synthetic>') return;
    const id = line.message.id ?? null;
    const requestId = line.requestId ?? null;
    const key = id === null && requestId === null ? `line ${index}` : JSON.stringify([id, requestId]);
    groups.set(key, [...(groups.get(key) ?? []), line]);
  });
  return [...groups.values()].map((group) => {
    const best = group.reduce((a, b) => ((b.message.usage.output_tokens ?? 0) > (a.message.usage.output_tokens ?? 0) ? b : a));
    return { model: best.message.model, usage: best.message.usage };
  });
}

const files = (() => {
  const dir = fixturesDir();
  return dir ? sessionFiles(dir) : [];
})();
const skip = fixturesDir() === null ? NO_FIXTURES : undefined;

test('fixtures: tokens per model equal a whole-file regrouping, and costs equal totals times the table rates', { skip }, async () => {
  const tokens = await loadProcessor('tokens');
  const pricing = await importPluginModule<{ loadBundledPrices(): { models: any[] } }>('tokens', 'pricing.js');
  const byLength = [...pricing.loadBundledPrices().models].sort((a, b) => b.match.length - a.match.length);
  const rateOf = (model: string) => byLength.find((e) => (e.match.endsWith('*') ? model.startsWith(e.match.slice(0, -1)) : model === e.match));
  let expectedCost = 0;
  let actualCost = 0;
  for (const file of files) {
    const expected = new Map<string, number[]>();
    for (const { model, usage } of billedMessages(parseAll(file).lines)) {
      const sums = expected.get(model) ?? [0, 0, 0, 0, 0];
      const values = [1, usage.input_tokens ?? 0, usage.output_tokens ?? 0, usage.cache_creation_input_tokens ?? 0, usage.cache_read_input_tokens ?? 0];
      expected.set(
        model,
        sums.map((s, i) => s + values[i]),
      );
      const rate = rateOf(model);
      assert.ok(rate, `${file}: ${model} is priced`);
      // The flat formula below holds only below a long-prompt threshold; the fixtures' prompts are.
      const prompt = values[1] + values[3] + values[4];
      assert.ok(!rate.long_prompt || prompt <= rate.long_prompt.above_tokens, `${file}: a ${prompt}-token prompt`);
      expectedCost += (values[1] * rate.input + values[2] * rate.output + values[3] * rate.cache_write_5m + values[4] * rate.cache_read) / 1e6;
    }
    const { items, warnings } = await runProcessor<any>(tokens, file);
    assert.deepEqual(warnings, [], file);
    const actual = new Map<string, number[]>();
    for (const r of items) {
      const sums = actual.get(r.model) ?? [0, 0, 0, 0, 0];
      const values = [1, r.input_tokens, r.output_tokens, r.cache_creation_input_tokens, r.cache_read_input_tokens];
      actual.set(
        r.model,
        sums.map((sum, i) => sum + values[i]),
      );
    }
    assert.deepEqual(actual, expected, file);
    actualCost += items.reduce((sum, r) => sum + r.cost_usd, 0);
  }
  assert.ok(expectedCost > 1, 'the fixtures cost something');
  assert.ok(Math.abs(actualCost - expectedCost) < 1e-6, `${actualCost} vs ${expectedCost}`);
});

test('fixtures: usage events and is_error equal counts over all tool_use / tool_result blocks', { skip }, async () => {
  const usage = await loadProcessor('usage');
  for (const file of files) {
    const { lines } = parseAll(file);
    const resultOf = new Map<string, boolean>();
    for (const line of lines) for (const r of toolResultsOf(line)) if (!resultOf.has(r.tool_use_id)) resultOf.set(r.tool_use_id, r.is_error === true);
    const expected: Record<string, number> = {};
    const bump = (key: string) => (expected[key] = (expected[key] ?? 0) + 1);
    for (const line of lines) {
      for (const use of toolUsesOf(line)) {
        const error = resultOf.has(use.id) ? String(resultOf.get(use.id)) : 'none';
        const kinds = [
          'tool',
          ...(use.name === 'Skill' ? ['skill'] : []),
          ...(['Task', 'Agent'].includes(use.name) ? ['subagent'] : []),
          ...(use.name.startsWith('mcp__') ? ['mcp'] : []),
        ];
        for (const kind of kinds) bump(`${kind} ${use.name} ${error}`);
      }
      const content = line?.type === 'user' && isObj(line.message) ? line.message.content : undefined;
      const typed =
        typeof content === 'string'
          ? content
          : Array.isArray(content)
            ? content
                .filter((b: any) => b?.type === 'text')
                .map((b: any) => b.text)
                .join('\n')
            : '';
      const command = typed.trimStart().startsWith('<command-') ? /<command-name>\/?([^<\s]+)<\/command-name>/.exec(typed) : null;
      if (command) bump(`slash_command /${command[1]} none`);
    }
    const { items } = await runProcessor<any>(usage, file);
    const actual: Record<string, number> = {};
    for (const e of items) {
      const key = `${e.event_type} ${e.tool_name ?? e.command_name} ${e.is_error === null ? 'none' : String(e.is_error)}`;
      actual[key] = (actual[key] ?? 0) + 1;
    }
    assert.deepEqual(actual, expected, file);
  }
});

test('fixtures: errors are exactly the failed tool results, named by their calls', { skip }, async () => {
  const errors = await loadProcessor('errors');
  let total = 0;
  for (const file of files) {
    const { lines } = parseAll(file);
    const nameOf = new Map<string, string>();
    for (const line of lines) for (const use of toolUsesOf(line)) nameOf.set(use.id, use.name);
    const expected = lines.flatMap((line) =>
      toolResultsOf(line)
        .filter((r) => r.is_error === true)
        .map((r) => `${nameOf.get(r.tool_use_id) ?? null} ${r.tool_use_id} ${line.uuid}`),
    );
    const { items } = await runProcessor<any>(errors, file);
    assert.deepEqual(
      items.map((e) => `${e.tool_name} ${e.tool_use_id} ${e.event_uuid}`),
      expected,
      file,
    );
    assert.ok(items.every((e) => e.kind === 'tool_result' && Buffer.byteLength(e.error_text) <= 2048 && e.error_text.length > 0));
    total += items.length;
  }
  assert.ok(total > 20, 'the fixtures hold failed tool calls');
});

test('fixtures: summaries agree with whole-file counts', { skip }, async () => {
  const summary = await loadProcessor('summary');
  for (const file of files) {
    const { lines, malformed } = parseAll(file);
    const times = lines.map((l) => (isObj(l) && typeof l.timestamp === 'string' ? Date.parse(l.timestamp) : NaN)).filter((t) => !Number.isNaN(t));
    const billed = billedMessages(lines);
    const firstSummary = lines.find((l) => l?.type === 'summary' && typeof l.summary === 'string');
    const [item] = (await runProcessor<any>(summary, file)).items;
    assert.equal(item.session_id, lines.find((l) => isObj(l) && typeof l.sessionId === 'string')?.sessionId ?? path.basename(file, '.jsonl'), file);
    assert.equal(item.first_at, times.length ? new Date(Math.min(...times)).toISOString() : null, file);
    assert.equal(item.last_at, times.length ? new Date(Math.max(...times)).toISOString() : null, file);
    assert.equal(item.assistant_messages, billed.length, file);
    assert.deepEqual(new Set(item.models), new Set(billed.map((m) => m.model)), file);
    assert.equal(item.sidechain_messages, lines.filter((l) => isObj(l) && l.isSidechain === true).length, file);
    assert.equal(item.malformed_lines, malformed, file);
    if (firstSummary)
      assert.equal(item.title, firstSummary.summary.replace(/\s+/g, ' ').trim().slice(0, 199).trimEnd() + (firstSummary.summary.length > 200 ? '…' : ''), file);
    else if (item.user_turns > 0) assert.ok(typeof item.title === 'string' && item.title.length > 0, file);
  }
});

test('fixtures: no secret findings in transcripts that hold none', { skip }, async () => {
  const secrets = await loadProcessor('secrets');
  for (const file of files) assert.deepEqual((await runProcessor(secrets, file)).items, [], file);
});
