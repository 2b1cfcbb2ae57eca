import { realpathSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { SessionArchive } from '../core/archive/sessionArchive.js';
import { archiveStatus, exportArchive, pruneArchive, verifyArchive } from '../core/archive/archiveMaintenance.js';
import { UsageError } from '../core/errors.js';
import { archiveFolder, defaultSessionRoot } from '../core/paths.js';
import { printJson, printTable } from './output.js';

const ARCHIVE_HELP = 'archive folder (default: $SESSION_INSPECTOR_ARCHIVE, else archive in the app data folder)';

function date(value: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('must be a date (YYYY-MM-DD, UTC) or a date and time (2026-01-31T18:00:00+01:00)');
  return ms;
}

async function withArchive<T>(options: { archive?: string }, fn: (archive: SessionArchive) => Promise<T>): Promise<T> {
  const archive = await SessionArchive.open(archiveFolder(options.archive)!).catch((error: unknown) => {
    throw new UsageError(`--archive: ${(error as Error).message}`);
  });
  try {
    return await fn(archive);
  } finally {
    await archive.close();
  }
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `archive status|verify|export|prune|compact`: the copy of every session that runs keep (docs/archive.md). */
export function archiveCommand(program: Command): void {
  const archive = program.command('archive').description('the archive of sessions that outlives Claude Code deleting them (docs/archive.md)');
  statusCommand(archive);
  verifyCommand(archive);
  exportCommand(archive);
  pruneCommand(archive);
  compactCommand(archive);
}

/** `archive status`: what the archive holds. */
function statusCommand(archive: Command): void {
  archive
    .command('status')
    .description(
      'sessions and bytes archived, the compressed size and ratio, sessions whose source is gone, the packs, ' +
        'the settled bytes not packed yet, and the oldest',
    )
    .option('--archive <dir>', ARCHIVE_HELP)
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (options) => {
      await withArchive(options, async (a) => {
        const status = await archiveStatus(a);
        if (options.json) return printJson(status);
        printTable([
          {
            sessions: status.sessions,
            versions: status.versions,
            source_gone: status.sourceGone,
            size: megabytes(status.rawBytes),
            compressed: megabytes(status.packedBytes),
            ratio: `${(status.ratio * 100).toFixed(1)}%`,
            packs: status.packs,
            settled_unpacked: megabytes(status.unpackedSettledBytes),
            oldest: status.oldestMs === null ? null : new Date(status.oldestMs).toISOString(),
          },
        ]);
        process.stdout.write(`folder: ${status.folder}\n`);
      });
    });
}

/** `archive verify`: every archived session read back and checked. */
function verifyCommand(archive: Command): void {
  archive
    .command('verify')
    .description('read every archived session back and check its MD5 and size; names each damaged one (exit 1 if any)')
    .option('--archive <dir>', ARCHIVE_HELP)
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (options) => {
      await withArchive(options, async (a) => {
        const damage = await verifyArchive(a);
        if (options.json) printJson({ damaged: damage });
        else if (damage.length === 0) process.stdout.write('archive intact\n');
        else printTable(damage.map((d) => ({ ...d })));
        process.exitCode = damage.length > 0 ? 1 : 0;
      });
    });
}

/** `archive export DIR`: the archived sessions as plain files. */
function exportCommand(archive: Command): void {
  archive
    .command('export <dir>')
    .description('write the archived sessions of the session root as plain .jsonl files in their original layout (never overwriting a file)')
    .option('--archive <dir>', ARCHIVE_HELP)
    .option('--sessions <dir>', 'the session root whose sessions to export (default: $SESSION_DATA_DIR, else ~/.claude/projects)', defaultSessionRoot())
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (dir: string, options) => {
      let root: string;
      try {
        root = realpathSync(options.sessions);
      } catch {
        root = options.sessions; // the root itself may be gone: the archive knows it by the path it had
      }
      await withArchive(options, async (a) => {
        const report = await exportArchive(a, root, dir);
        if (options.json) return printJson(report);
        process.stdout.write(`${report.written} written, ${report.alreadyThere} already there\n`);
        for (const path of report.conflicts) process.stderr.write(`kept: ${path} exists with other content\n`);
      });
    });
}

/** `archive compact`: settled sessions packed together (watch and the app do it between runs). */
function compactCommand(archive: Command): void {
  archive
    .command('compact')
    .description(
      'pack settled sessions (untouched for an hour, source gone, or replaced by a later version) together, which compresses them ' +
        'about twice as well as one by one; watch and the app do it between runs',
    )
    .option('--all', 'pack every session not packed yet, also those changed within the hour')
    .option('--archive <dir>', ARCHIVE_HELP)
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (options) => {
      await withArchive(options, async (a) => {
        const report = await a.compact(options.all ? { settledBeforeMs: Date.now() + 1 } : {});
        if (options.json) printJson(report);
        else {
          process.stdout.write(
            `packed ${report.versions} session version(s): ${megabytes(report.rawBytes)} into ${megabytes(report.packedBytes)} in ${report.packs} pack(s)\n`,
          );
          for (const warning of report.warnings) process.stderr.write(`warning: ${warning}\n`);
        }
        process.exitCode = report.warnings.length > 0 ? 1 : 0;
      });
    });
}

/** `archive prune --before DATE`: copies no source needs, removed only with --apply. */
function pruneCommand(archive: Command): void {
  archive
    .command('prune')
    .description('remove archived copies no source needs (source gone, or replaced by a later version) last modified before a date; a dry run unless --apply')
    .requiredOption('--before <date>', 'prune copies whose session last changed before this date', date)
    .option('--apply', 'remove them (audited in the archive); without it, only list them')
    .option('--archive <dir>', ARCHIVE_HELP)
    .option('--json', 'print machine-readable JSON on stdout')
    .action(async (options) => {
      await withArchive(options, async (a) => {
        const report = await pruneArchive(a, options.before, options.apply === true);
        const rows = report.versions.map((v) => ({
          session: v.sessionKey,
          version: v.version,
          last_changed: new Date(v.sourceMtimeMs).toISOString(),
          size: v.rawBytes,
          why: v.supersededAtMs !== null ? 'replaced by a later version' : 'source gone',
        }));
        if (options.json) return printJson({ applied: report.applied, packedBytes: report.packedBytes, versions: rows });
        printTable(rows, undefined, '(nothing to prune)');
        const verb = report.applied ? 'removed' : 'would remove (dry run: add --apply)';
        process.stdout.write(`${verb}: ${rows.length} version(s), ${megabytes(report.packedBytes)}\n`);
      });
    });
}
