import { listFindings, markFinding } from '../core/findings.js';
import type { Database } from '../core/store/database.js';
import type { ArgsOf, Finding } from './contract.js';

/** `findings/list` and `findings/mark`: the rows of the findings module, as the CLI's `findings` prints them. */
export async function findingsList(db: Database, args: ArgsOf<'findings/list'>): Promise<Finding[]> {
  return listFindings(db, args);
}

export async function findingsMark(db: Database, { id, status, note }: ArgsOf<'findings/mark'>): Promise<Finding> {
  return markFinding(db, id, status, note ?? null);
}
