// Every session with its size, time, group and one status chip per processor; filter, sort, select, act.
import { ActiveRuns } from '../components/ActiveRuns.js';
import { SessionBulkBar } from '../components/SessionBulkBar.js';
import { SessionFilters } from '../components/SessionFilters.js';
import { SessionList } from '../components/SessionList.js';

export function SessionsView() {
  return (
    <section className="sessions-view" aria-label="Sessions">
      <SessionFilters />
      <ActiveRuns compact />
      <SessionBulkBar />
      <SessionList />
    </section>
  );
}
