import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A small deterministic PRNG (mulberry32): same seed, same corpus, same kill points. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` sessions of Claude Code-shaped lines (tool calls with results, usage, a few errors). */
export function writeCorpus(root: string, count: number, seed = 7): void {
  const random = seeded(seed);
  const tools = ['Bash', 'Read', 'Edit', 'Grep', 'Skill', 'mcp__github__search'];
  for (let s = 0; s < count; s++) {
    const dir = join(root, `project-${s % 7}`);
    mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    const turns = 3 + Math.floor(random() * 30);
    for (let t = 0; t < turns; t++) {
      const ts = new Date(Date.UTC(2025, 8, 1 + (s % 20), 10, 0, t)).toISOString();
      lines.push(
        JSON.stringify({
          type: 'user',
          uuid: `u-${s}-${t}`,
          timestamp: ts,
          sessionId: `s${s}`,
          message: { role: 'user', content: `question ${s}.${t} ${'x'.repeat(Math.floor(random() * 200))}` },
        }),
      );
      const tool = tools[Math.floor(random() * tools.length)];
      const id = `toolu_${s}_${t}`;
      lines.push(
        JSON.stringify({
          type: 'assistant',
          uuid: `a-${s}-${t}`,
          timestamp: ts,
          requestId: `req_${s}_${t}`,
          message: {
            id: `msg_${s}_${t}`,
            role: 'assistant',
            model: 'claude-sonnet-4-5-20250929',
            content: [{ type: 'tool_use', id, name: tool, input: { command: 'ls', skill: 'pdf' } }],
            usage: { input_tokens: 10 + t, output_tokens: 5 + (t % 3), cache_read_input_tokens: 100 },
          },
        }),
      );
      lines.push(
        JSON.stringify({
          type: 'user',
          uuid: `r-${s}-${t}`,
          timestamp: ts,
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'ok', is_error: random() < 0.1 }] },
        }),
      );
    }
    writeFileSync(join(dir, `session-${String(s).padStart(4, '0')}.jsonl`), `${lines.join('\n')}\n`);
  }
}
