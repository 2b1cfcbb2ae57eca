// Words for findings on screen: a status or category as a person reads it (the contract's values are ids).
import type { FindingStatus } from '../../../main/api/contract.js';
import type { FindingCategory } from './findingsFilter.js';

export const STATUS_LABEL: Record<FindingStatus, string> = {
  open: 'open',
  confirmed: 'confirmed',
  'false-positive': 'false positive',
  fixed: 'fixed',
};

/** What each status means, for the review form (an auditor picks one). */
export const STATUS_HINT: Record<FindingStatus, string> = {
  open: 'not reviewed yet',
  confirmed: 'real: needs action',
  'false-positive': 'harmless: hidden from the list',
  fixed: 'dealt with (rotated, repaired)',
};

export const CATEGORY_LABEL: Record<FindingCategory, string> = {
  secret: 'Secrets',
  tool_error: 'Tool errors',
  destructive_command: 'Destructive commands',
  outside_write: 'Writes outside the project',
  permission_bypass: 'Permission bypasses',
};
/** One finding's category, in a sentence ("Secret: github_token"). */
export const CATEGORY_SINGULAR: Record<FindingCategory, string> = {
  secret: 'Secret',
  tool_error: 'Tool error',
  destructive_command: 'Destructive command',
  outside_write: 'Write outside the project',
  permission_bypass: 'Permission bypass',
};
/** What a finding's summary is, as the detail's heading over it. */
export const SUMMARY_LABEL: Record<FindingCategory, string> = {
  secret: 'Redacted preview',
  tool_error: 'Error',
  destructive_command: 'Command',
  outside_write: 'Path written',
  permission_bypass: 'What happened',
};
