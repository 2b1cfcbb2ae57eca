// Where a value sits in a record, so it can be found again later without being stored: a string's field
// path (as walkStrings names it), a span in that string, and a digest of the span. The secrets processor
// stores these instead of the secret; `secrets redact` and the app's reveal use them to find the secret in
// the file again, and to notice when the line no longer holds it.
import { createHash } from 'node:crypto';
import { walkStrings } from './walk.js';

/**
 * The digest of a span, salted with where it was found (a finding's `location`): the same secret in two
 * places gets two digests, so the stored digests neither link findings nor fit a precomputed table. A
 * digest still lets whoever holds the store test a guess at that one value (docs/findings.md says so).
 */
export function spanDigest(location: string, span: string): string {
  return createHash('sha256').update(location).update('\0').update(span).digest('hex');
}

/**
 * The string at `path` in `record`, found by the same walk that named it (so the path format has one
 * owner: walkStrings); undefined when the record holds no string there.
 */
export function stringAtPath(record: unknown, path: string): string | undefined {
  let found: string | undefined;
  walkStrings(record, (entry) => {
    if (found === undefined && entry.path() === path) found = entry.text;
  });
  return found;
}
