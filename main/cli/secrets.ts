import type { Command } from 'commander';
import { defaultSessionRoot } from '../core/paths.js';
import { RECENT_WRITE_MS, type RedactReport } from '../core/redaction/redactSecrets.js';
import { collect, common, withEngine } from './commonOptions.js';
import { printJson, printTable } from './output.js';

export function secretsCommand(program: Command): void {
  const secrets = program.command('secrets').description('act on the secrets the secrets processor found (docs/findings.md)');
  common(
    secrets
      .command('redact')
      .description(
        'replace secrets in their session files by [REDACTED:<kind>] (a dry run unless --apply): each file replaced atomically, ' +
          'keeping its mode; the store follows (audited, reviews marked fixed), so nothing is processed again for it',
      ),
    false,
  )
    .option('--sessions <dir>', 'session root (default: $SESSION_DATA_DIR, else $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects)', defaultSessionRoot())
    .option('--session <key>', 'redact the secrets found in this session (repeatable)', collect, [])
    .option('--finding <id>', 'redact this secret finding (repeatable; `findings list --kind secret` shows ids), even one marked false-positive', collect, [])
    .option('--all', 'redact every secret found (findings marked false-positive are left)')
    .option('--apply', 'change the files (without it, only print what would change)')
    .option('--force', `also redact sessions written to in the last ${RECENT_WRITE_MS / 60_000} minutes (Claude Code may be appending to them)`)
    .action(async (options) => {
      await withEngine(options, async (engine) => {
        const report = await engine.redactSecrets(
          { sessions: options.session, findings: options.finding, all: options.all === true },
          { apply: options.apply === true, force: options.force === true, via: 'cli' },
        );
        printReport(report, options.json === true);
        // Refusals name the session or line and why; the exit code lets a script notice them.
        if (report.rows.some((r) => r.outcome === 'refused')) process.exitCode = 2;
      });
    });
}

function printReport(report: RedactReport, json: boolean): void {
  if (json) return printJson(report);
  printTable(
    report.rows.map((r) => ({ ...r })),
    ['session_file', 'line_no', 'kind', 'preview', 'outcome'],
    'no secret findings to redact (has the secrets processor run?)',
  );
  for (const r of report.rows) {
    if (r.reason !== null) process.stderr.write(`${r.outcome}: ${r.session_file} line ${r.line_no} (${r.kind} ${r.preview}): ${r.reason}\n`);
  }
  const count = (outcome: string) => report.rows.filter((r) => r.outcome === outcome).length;
  const sessions = new Set(report.rows.filter((r) => r.outcome === 'redacted' || r.outcome === 'would-redact').map((r) => r.session_file)).size;
  if (report.applied) {
    process.stdout.write(`redacted ${count('redacted')} secret(s) in ${sessions} session(s); ${report.items} stored item(s) that held one rewritten\n`);
  } else if (report.rows.length > 0) {
    process.stdout.write(`dry run: ${count('would-redact')} secret(s) in ${sessions} session(s) would be redacted; nothing changed (--apply redacts)\n`);
  }
}
