import { listFindings, listSecretSpans, markFinding } from '../core/findings.js';
import type { Engine } from '../core/engine.js';
import { readSecret, secretTarget } from '../core/redaction/redactSession.js';
import { NotFoundError } from '../core/store/stateEdits.js';
import type { Database } from '../core/store/database.js';
import type { ArgsOf, Finding, RedactReport } from './contract.js';

/** `findings/list` and `findings/mark`: the rows of the findings module, as the CLI's `findings` prints them. */
export async function findingsList(db: Database, args: ArgsOf<'findings/list'>): Promise<Finding[]> {
  return listFindings(db, args);
}

export async function findingsMark(db: Database, { id, status, note }: ArgsOf<'findings/mark'>): Promise<Finding> {
  return markFinding(db, id, status, note ?? null);
}

/** `secrets/redact`: what `session-inspector secrets redact` does, recorded as done through the app. */
export async function secretsRedact(engine: Engine, { findings, sessions, apply, force }: ArgsOf<'secrets/redact'>): Promise<RedactReport> {
  return engine.redactSecrets({ findings, sessions }, { apply, force: force === true, via: 'app' });
}

/**
 * `secrets/reveal`: the secret of one finding, read from its line now. `pathOf` gives the file of a session
 * the session list knows (null otherwise). Errors name the finding and line, never the secret.
 */
export async function secretsReveal(db: Database, id: string, pathOf: (sessionKey: string) => Promise<string | null>): Promise<{ value: string }> {
  const finding = (await listSecretSpans(db, null)).find((f) => f.id === id);
  if (!finding) throw new NotFoundError(`no secret finding ${id} (see the Findings page, or \`session-inspector findings list --kind secret --all\`)`);
  const path = await pathOf(finding.session_file);
  if (path === null) throw new NotFoundError(`the session ${finding.session_file} of finding ${id} is not in the session folder`);
  const found = readSecret(path, secretTarget(finding));
  if ('reason' in found) throw new NotFoundError(`the secret of finding ${id} is not in its file now (redacted?): ${found.reason}`);
  return found;
}
