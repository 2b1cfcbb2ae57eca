// The Findings page's filters and counts, over the findings main returned (`findings/list`). Pure, so the
// page and its tests share it. Filtering happens here rather than in main because main computes every
// finding's id and review on each call anyway (main/core/findings.ts): one load, then every filter change is
// instant and the counts beside each filter stay right.
import { FINDING_CATEGORIES, type Finding, type FindingCategory, type FindingStatus } from '../../../main/api/contract.js';

export { FINDING_CATEGORIES, type FindingCategory };

export interface FindingsFilter {
  /** A kind (`github_token`) or a category (`secret`), as `findings list --kind` takes either; null for all. */
  kind: string | null;
  /** The session key's first folder (see `projectOf`); null for all. */
  project: string | null;
  processor: string | null;
  /** Empty: every status listed. */
  statuses: FindingStatus[];
  /** Inclusive local days (YYYY-MM-DD) of `occurred_at`; a finding without a time is outside any range. */
  since: string | null;
  until: string | null;
}

export const NO_FINDINGS_FILTER: FindingsFilter = { kind: null, project: null, processor: null, statuses: [], since: null, until: null };

export interface FindingCounts {
  /** Per kind and per category, under every filter but the kind one (so each chip says what choosing it shows). */
  byKind: Record<string, number>;
  byCategory: Record<string, number>;
  /** Per status, under every filter but the status one. */
  byStatus: Partial<Record<FindingStatus, number>>;
  /** Findings left out only because they have no time and a date range is set (secrets never have one). */
  undatedOutside: number;
}

/**
 * A session's project: the first folder of its key, as main groups sessions (main/core/scan.ts); a session
 * directly in the root belongs to the root folder, named by its last path segment.
 */
export function projectOf(sessionKey: string, sessionRoot: string | null): string {
  const slash = sessionKey.indexOf('/');
  if (slash !== -1) return sessionKey.slice(0, slash);
  return sessionRoot?.split(/[\\/]/).filter(Boolean).at(-1) ?? '';
}

/** The local day (YYYY-MM-DD, this browser's zone) of an ISO time; null without a usable time. */
export function localDay(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

type Test = (f: Finding) => boolean;

function tests(filter: FindingsFilter, sessionRoot: string | null): { kind: Test; project: Test; processor: Test; status: Test; date: Test } {
  const { kind, project, processor, statuses, since, until } = filter;
  return {
    kind: (f) => kind === null || f.kind === kind || f.category === kind,
    project: (f) => project === null || projectOf(f.session_file, sessionRoot) === project,
    processor: (f) => processor === null || f.processor === processor,
    status: (f) => statuses.length === 0 || statuses.includes(f.status),
    date: (f) => {
      if (since === null && until === null) return true;
      const day = localDay(f.occurred_at);
      // YYYY-MM-DD strings compare as the days they name.
      return day !== null && (since === null || day >= since) && (until === null || day <= until);
    },
  };
}

/** The findings the filter shows, in main's order (newest first), and the counts beside each filter. */
export function filterFindings(items: readonly Finding[], filter: FindingsFilter, sessionRoot: string | null): { visible: Finding[]; counts: FindingCounts } {
  const t = tests(filter, sessionRoot);
  const visible: Finding[] = [];
  const counts: FindingCounts = { byKind: {}, byCategory: {}, byStatus: {}, undatedOutside: 0 };
  const dated = filter.since !== null || filter.until !== null;
  for (const f of items) {
    const project = t.project(f);
    const processor = t.processor(f);
    const date = t.date(f);
    const kind = t.kind(f);
    const status = t.status(f);
    if (project && processor && date && status) {
      counts.byKind[f.kind] = (counts.byKind[f.kind] ?? 0) + 1;
      counts.byCategory[f.category] = (counts.byCategory[f.category] ?? 0) + 1;
    }
    if (project && processor && date && kind) counts.byStatus[f.status] = (counts.byStatus[f.status] ?? 0) + 1;
    if (project && processor && kind && status) {
      if (date) visible.push(f);
      else if (dated && f.occurred_at === null) counts.undatedOutside++;
    }
  }
  return { visible, counts };
}

/** The values each choice list offers: those present in what was loaded, sorted. */
export function findingChoices(
  items: readonly Finding[],
  sessionRoot: string | null,
): { projects: string[]; processors: string[]; kinds: Record<FindingCategory, string[]> } {
  const projects = new Set<string>();
  const processors = new Set<string>();
  const kinds = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, new Set<string>()])) as Record<FindingCategory, Set<string>>;
  for (const f of items) {
    projects.add(projectOf(f.session_file, sessionRoot));
    processors.add(f.processor);
    kinds[f.category]?.add(f.kind);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  const kindsSorted = Object.fromEntries(FINDING_CATEGORIES.map((c) => [c, sorted(kinds[c])])) as Record<FindingCategory, string[]>;
  return { projects: sorted(projects), processors: sorted(processors), kinds: kindsSorted };
}
