import { parseProcessor, type JsProcessorDefinition, type ProcessorDefinition } from '../../plugins/processorSchema.js';
import { errorMessage } from '../../errors.js';
import type { DescribeResult } from '../protocol.js';

/** Plugin modules loaded in this process, by URL (the URL carries a version stamp, so a change is a new URL). */
const loaded = new Map<string, Promise<{ processors: Map<string, ProcessorDefinition>; errors: string[] }>>();

function load(entryUrl: string) {
  let entry = loaded.get(entryUrl);
  if (!entry) {
    entry = (async () => {
      const module = (await import(entryUrl)) as { default?: unknown };
      const exported = module.default;
      const processors = new Map<string, ProcessorDefinition>();
      const errors: string[] = [];
      const candidates = Array.isArray(exported) ? exported : [exported];
      if (exported === undefined || candidates.length === 0) {
        errors.push('the module has no default export: export a processor or an array of processors');
      }
      candidates.forEach((candidate, index) => {
        if (exported === undefined) return;
        try {
          const processor = parseProcessor(candidate, `processor${Array.isArray(exported) ? ` #${index + 1}` : ''}`);
          if (processors.has(processor.name)) errors.push(`processor "${processor.name}" is exported twice; the first one is used`);
          else processors.set(processor.name, processor);
        } catch (error) {
          errors.push(errorMessage(error));
        }
      });
      return { processors, errors };
    })();
    loaded.set(entryUrl, entry);
  }
  return entry;
}

export async function describePlugin(entryUrl: string): Promise<DescribeResult> {
  try {
    const { processors, errors } = await load(entryUrl);
    return {
      processors: [...processors.values()].map((p) => ({
        name: p.name,
        version: p.version,
        cadenceMinutes: p.cadenceMinutes,
        timeoutMs: p.timeoutMs,
        ...(p.view ? { view: p.view } : {}),
        ...(p.kind === 'sql' ? { sql: p.sql, ...(p.linesContaining ? { linesContaining: p.linesContaining } : {}) } : {}),
      })),
      errors,
    };
  } catch (error) {
    return { processors: [], errors: [`cannot load the module: ${errorMessage(error)}`] };
  }
}

/** A JavaScript processor of a loaded module (SQL processors never reach a plugin process). */
export async function processorFrom(entryUrl: string, name: string): Promise<JsProcessorDefinition> {
  const { processors } = await load(entryUrl);
  const processor = processors.get(name);
  if (!processor) throw new Error(`processor "${name}" is no longer exported by ${entryUrl.split('?')[0]}`);
  if (processor.kind !== 'js') throw new Error(`processor "${name}" is a SQL processor; the host runs it in DuckDB`);
  return processor;
}
