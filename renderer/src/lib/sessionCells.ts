// How the sessions list shows each column's value, and why a cell is empty. Pure.
import type { SessionColumnId, SessionColumnInfo, SessionRow } from '../../../main/api/contract.js';
import { formatBytes, formatCount, formatDuration, formatTime } from './format.js';

/** The columns a new user sees, in order (the status chips always follow). */
export const DEFAULT_SESSION_COLUMNS: SessionColumnId[] = ['title', 'project', 'branch', 'started', 'duration', 'messages', 'cost', 'errors', 'secrets'];

/** The value of a column for a row, null when there is none. */
export function cellValue(id: SessionColumnId, row: SessionRow): string | number | null {
  switch (id) {
    case 'title':
      return row.title;
    case 'project':
      return row.project;
    case 'branch':
      return row.branch;
    case 'started':
      return row.startedAt;
    case 'duration':
      return row.durationS;
    case 'messages':
      return row.messages;
    case 'cost':
      return row.costUsd;
    case 'errors':
      return row.toolErrors;
    case 'secrets':
      return row.secrets;
    case 'path':
      return row.sessionKey;
    case 'size':
      return row.sizeBytes;
    case 'modified':
      return row.modifiedAt;
  }
}

/** A value as the list shows it. */
export function formatCellValue(column: SessionColumnInfo, value: string | number): string {
  switch (column.kind) {
    case 'time':
      return formatTime(String(value));
    case 'seconds':
      return formatDuration(Number(value) * 1000);
    case 'usd':
      return `$${Number(value).toFixed(2)}`;
    case 'bytes':
      return formatBytes(Number(value));
    case 'count':
      return formatCount(Number(value));
    default:
      return String(value);
  }
}

/** What a hover over a cell adds to its text (the full title, the project's path, the split of messages). */
export function cellHint(id: SessionColumnId, row: SessionRow): string | undefined {
  if (id === 'title') return row.title ?? undefined;
  if (id === 'project') return row.projectPath;
  if (id === 'messages' && row.prompts !== null) return `${row.prompts} prompts, ${row.replies ?? 0} replies`;
  if (id === 'cost' && row.unpricedMessages) return `${row.unpricedMessages} message(s) of a model without a price are not counted`;
  if (id === 'started' && row.endedAt) return `until ${formatTime(row.endedAt)}`;
  return undefined;
}

/** Why a column's cell is empty for a row: its processor is off, has not run, failed, or found nothing to show. */
export function emptyReason(column: SessionColumnInfo, row: SessionRow): string {
  const processor = column.processor;
  if (!processor) return '';
  const cell = row.statuses.find((s) => s.processor === processor);
  if (!cell) return `empty: the ${processor} processor is not enabled`;
  switch (cell.status) {
    case 'pending':
      return `comes after the first run of ${processor} over this session`;
    case 'running':
      return `${processor} is running over this session`;
    case 'failed':
    case 'quarantined':
      return `${processor} failed on this session${cell.lastError ? `: ${cell.lastError}` : ''}`;
    default:
      return `${processor} found no ${column.label.toLowerCase()} in this session`;
  }
}

/** The file name of a session key, for a row no processor has described yet. */
export const fileName = (sessionKey: string): string => sessionKey.split('/').pop() ?? sessionKey;
