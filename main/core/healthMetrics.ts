import type { Health } from './health.js';
import type { JsonRow } from './store/jsonRows.js';

/**
 * The status and health of every processor in Prometheus' text exposition format, for a node exporter's
 * textfile collector (`status --format prometheus`) and browser mode's `/metrics`.
 */
export function prometheusMetrics(status: JsonRow[], health: Health): string {
  const out: string[] = [];
  const families = new Map<string, string[]>();
  const metric = (name: string, help: string, labels: Record<string, string>, value: number | null) => {
    if (value === null || !Number.isFinite(value)) return;
    let lines = families.get(name);
    if (!lines) families.set(name, (lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`]));
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${escape(v)}"`)
      .join(',');
    lines.push(text ? `${name}{${text}} ${value}` : `${name} ${value}`);
  };
  const seconds = (iso: unknown) => (typeof iso === 'string' ? Date.parse(iso) / 1000 : null);
  for (const row of status) {
    const processor = String(row.processor_name);
    for (const state of ['processed', 'pending', 'failed', 'quarantined'] as const) {
      const value = row[state];
      metric('session_inspector_sessions', 'Sessions per processor and state.', { processor, state }, typeof value === 'number' ? value : null);
    }
    metric('session_inspector_items', 'Items the processor extracted (stored).', { processor }, Number(row.items_extracted ?? 0));
    const stats = row.last_run_stats as { errors?: number } | null;
    const failures = typeof stats?.errors === 'number' ? stats.errors : null;
    metric('session_inspector_last_run_failures', 'Sessions that failed in the latest run.', { processor }, failures);
  }
  for (const h of health.processors) {
    const processor = h.processor;
    metric('session_inspector_last_run_start_timestamp_seconds', 'Start of the latest run.', { processor }, seconds(h.last_run_started_at));
    metric('session_inspector_last_run_duration_seconds', 'Duration of the latest finished run.', { processor }, h.last_run_seconds);
    metric('session_inspector_next_due_timestamp_seconds', 'When the processor is due next by its cadence.', { processor }, seconds(h.next_due_at));
    metric('session_inspector_cadence_seconds', 'How often the processor is meant to run.', { processor }, h.cadence_minutes * 60);
    for (const check of ['overdue', 'failing', 'stuck'] as const) {
      metric(`session_inspector_${check}`, `1 when the processor is ${check}.`, { processor }, h[check] ? 1 : 0);
    }
    metric('session_inspector_healthy', '1 when the processor has no problem.', { processor }, h.healthy ? 1 : 0);
  }
  metric('session_inspector_problems', 'Problems status --check reports.', {}, health.problems.length);
  for (const lines of families.values()) out.push(...lines);
  return `${out.join('\n')}\n`;
}

/** Label values escape backslash, double quote and newline. */
const escape = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
