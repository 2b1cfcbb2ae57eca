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

export const CATEGORY_LABEL: Record<FindingCategory, string> = { secret: 'Secrets', tool_error: 'Tool errors' };
/** One finding's category, in a sentence ("Secret: github_token"). */
export const CATEGORY_SINGULAR: Record<FindingCategory, string> = { secret: 'Secret', tool_error: 'Tool error' };
