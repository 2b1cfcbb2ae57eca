import { listFindings, listSecretSpans, markFinding } from '../../core/findings.js';
import { readSecret, secretTarget } from '../../core/redaction/redactSession.js';
import { NotFoundError } from '../../core/store/stateEdits.js';
import { sessionPath, type ApiContext, type DomainHandlers } from './context.js';

/** Findings (the rows the CLI's `findings` prints) and their reviews; secrets redacted in their files, or revealed. */
export function findingsHandlers(ctx: ApiContext): DomainHandlers<'findings' | 'secrets'> {
  return {
    'findings/list': async (args) => listFindings(ctx.engine.store.db, args),
    'findings/mark': async ({ id, status, note }) => markFinding(ctx.engine.store.db, id, status, note ?? null),
    // What `session-inspector secrets redact` does, recorded as done through the app.
    'secrets/redact': async ({ findings, sessions, apply, force }) => {
      const report = await ctx.engine.redactSecrets({ findings, sessions }, { apply, force: force === true, via: 'app' });
      if (report.applied && report.rows.some((r) => r.outcome === 'redacted')) {
        await ctx.rescan();
        ctx.emit({ type: 'state-changed', processors: ['secrets'] });
      }
      return report;
    },
    // The secret of one finding, read from its line now, of a session the list knows. Errors name the finding and line, never the secret.
    'secrets/reveal': async ({ id }) => {
      const finding = (await listSecretSpans(ctx.engine.store.db, null)).find((f) => f.id === id);
      if (!finding) throw new NotFoundError(`no secret finding ${id} (see the Findings page, or \`session-inspector findings list --kind secret --all\`)`);
      const path = await sessionPath(ctx, finding.session_file);
      if (path === null) throw new NotFoundError(`the session ${finding.session_file} of finding ${id} is not in the session folder`);
      const found = readSecret(path, secretTarget(finding));
      if ('reason' in found) throw new NotFoundError(`the secret of finding ${id} is not in its file now (redacted?): ${found.reason}`);
      return found;
    },
  };
}
