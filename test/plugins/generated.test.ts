// The processors on a corpus from the shared benchmark generator, whose --stats file states the exact
// totals a correct parser finds (tokens deduplicated by message.id:requestId, tool and command counts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateCorpus, GENERATOR_MISSING } from './corpus.js';
import { loadProcessor, runProcessor } from './support.js';

async function runAll(name: string, files: string[]): Promise<{ items: any[]; warnings: string[] }> {
  const processor = await loadProcessor(name);
  const items: any[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    const result = await runProcessor<any>(processor, file);
    items.push(...result.items);
    warnings.push(...result.warnings);
  }
  return { items, warnings };
}

const tally = (values: string[]) => values.reduce<Record<string, number>>((counts, v) => ((counts[v] = (counts[v] ?? 0) + 1), counts), {});

test('generated corpus: processor totals equal the generator stats', { skip: GENERATOR_MISSING }, async () => {
  const { files, stats } = generateCorpus();
  assert.equal(files.length, stats.files);

  const tokens = await runAll('tokens', files);
  assert.deepEqual(tokens.warnings, [], 'every generated model is priced');
  const byModel: Record<string, any> = {};
  for (const r of tokens.items) {
    const m = (byModel[r.model] ??= { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, messages: 0 });
    m.input += r.input_tokens;
    m.output += r.output_tokens;
    m.cacheCreation += r.cache_creation_input_tokens;
    m.cacheRead += r.cache_read_input_tokens;
    m.messages += 1; // one item per billed message
  }
  assert.deepEqual(byModel, stats.byModel);
  assert.ok(tokens.items.every((r) => typeof r.cost_usd === 'number' && r.cost_usd > 0));

  const usage = await runAll('usage', files);
  const of = (type: string, field: string) => tally(usage.items.filter((e) => e.event_type === type).map((e) => e[field]));
  assert.deepEqual(of('tool', 'tool_name'), stats.tools);
  assert.deepEqual(of('skill', 'skill_name'), stats.skills);
  assert.deepEqual(of('subagent', 'subagent_type'), stats.subagents);
  assert.deepEqual(of('mcp', 'tool_name'), stats.mcp);
  assert.deepEqual(tally(usage.items.filter((e) => e.event_type === 'slash_command').map((e) => e.command_name.slice(1))), stats.slashCommands);

  const errors = await runAll('errors', files);
  assert.equal(errors.items.filter((e) => e.kind === 'tool_result').length, stats.toolErrors);

  const summary = await runAll('summary', files);
  const sum = (field: string) => summary.items.reduce((total, s) => total + s[field], 0);
  assert.equal(summary.items.length, stats.files);
  assert.equal(sum('assistant_messages'), stats.uniqueMessages);
  assert.equal(sum('sidechain_messages'), stats.sidechainLines);
  assert.equal(sum('malformed_lines'), stats.malformedLines + stats.truncatedTails);

  const secrets = await runAll('secrets', files);
  assert.deepEqual(secrets.items, [], 'generated prose and code hold no credentials');
});
