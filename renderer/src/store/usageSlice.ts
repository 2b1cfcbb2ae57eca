// The Usage page: a daily, weekly or monthly report in a chosen time zone and project, the latest 5-hour
// block and the projects to choose from. All three are `usage/report` answers: the CLI's report module.
import type { UsageBlockRow, UsageProjectRow, UsageReport, UsageReportRequest, UsageWeekStart } from '../../../main/api/contract.js';
import { errorMessage } from '../api/client.js';
import { browserTimeZone } from '../lib/timeZones.js';
import type { SliceCreator } from './types.js';

export const USAGE_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];

/** What the report is of; a change is kept only once main has answered it (a refused zone keeps the last good one). */
export interface UsageSettings {
  kind: UsagePeriod;
  timeZone: string;
  /** A project's path as the projects report names it; null for all projects. */
  project: string | null;
  weekStart: UsageWeekStart;
}

export interface UsageData extends UsageSettings {
  report: UsageReport | null;
  /** The active block, else the latest one (all projects: usage limits are per account). */
  block: UsageBlockRow | null;
  projects: UsageProjectRow[];
  loading: boolean;
  error: string | null;
}

export interface UsageSliceState {
  usage: UsageData;
  /** Everything again: the report, the block and the projects (on opening the page, and after runs). */
  loadUsage(): Promise<void>;
  /** The report with some settings changed; false (with the reason in `error`) when main refused them. */
  changeUsage(changes: Partial<UsageSettings>): Promise<boolean>;
}

/** Blocks asked for: the newest real block is among the last two (a gap can sort after it), four to be safe. */
const RECENT_BLOCKS = 4;

function request(s: UsageSettings): UsageReportRequest {
  return { kind: s.kind, timezone: s.timeZone, ...(s.project ? { project: s.project } : {}), ...(s.kind === 'weekly' ? { weekStart: s.weekStart } : {}) };
}

export const createUsageSlice: SliceCreator<UsageSliceState> = (set, get, { api }) => {
  const patch = (p: Partial<UsageData>) => set({ usage: { ...get().usage, ...p } });
  // Only the newest request's answer is shown: a slow answer to an older choice must not replace it.
  let latest = 0;
  // The settings of the request in flight: a reload meanwhile (a run finished) asks for those, not the old ones.
  let wanted: UsageSettings | null = null;
  const current = (): UsageSettings => {
    const { kind, timeZone, project, weekStart } = get().usage;
    return wanted ?? { kind, timeZone, project, weekStart };
  };

  // The block and projects are owed until an answer carrying them is shown (a newer change may cut one off).
  let sidesOwed = false;

  async function report(settings: UsageSettings, withSides: boolean): Promise<boolean> {
    const ticket = ++latest;
    wanted = settings;
    sidesOwed ||= withSides;
    const sides = sidesOwed;
    patch({ loading: true });
    try {
      const [report, blocks, projects] = await Promise.all([
        api.call('usage/report', request(settings)),
        sides ? api.call('usage/report', { kind: 'blocks', timezone: settings.timeZone, last: RECENT_BLOCKS }) : null,
        sides ? api.call('usage/report', { kind: 'projects', timezone: settings.timeZone }) : null,
      ]);
      if (ticket !== latest) return true;
      wanted = null;
      const extra: Partial<UsageData> = {};
      if (blocks?.kind === 'blocks') extra.block = blocks.blocks.filter((b) => !b.isGap).at(-1) ?? null;
      if (projects?.kind === 'projects')
        extra.projects = [...projects.projects].sort((a, b) => a.project.localeCompare(b.project) || a.projectPath.localeCompare(b.projectPath));
      if (sides) sidesOwed = false;
      patch({ ...settings, ...extra, report, loading: false, error: null });
      return true;
    } catch (error) {
      if (ticket === latest) {
        wanted = null;
        patch({ loading: false, error: errorMessage(error) });
      }
      return false;
    }
  }

  return {
    usage: {
      kind: 'daily',
      timeZone: browserTimeZone(),
      project: null,
      weekStart: 'sunday',
      report: null,
      block: null,
      projects: [],
      loading: false,
      error: null,
    },

    async loadUsage() {
      await report(current(), true);
    },

    async changeUsage(changes) {
      return report({ ...current(), ...changes }, false);
    },
  };
};
