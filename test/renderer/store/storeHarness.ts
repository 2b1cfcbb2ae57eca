// What the store tests share: the store bound to main's events as the page binds it, a finished run's
// stats, and the answers the sessions and runs pages read again after an event.
import type { RunStatsJson } from '../../../main/api/contract.js';
import { bindEvents } from '../../../renderer/src/store/events.js';
import { emptySessionPage, type FakeTransport, type Handlers, type makeStore } from '../fakeTransport.js';

type TestStore = ReturnType<typeof makeStore>['store'];

/** Applies every event the fake transport emits; refreshes wait a minute unless flushed, so each test flushes when it means to. */
export function bindTestEvents(store: TestStore, transport: FakeTransport): ReturnType<typeof bindEvents> {
  const events = bindEvents(store, 60_000);
  transport.subscribe((e) => events.apply(e));
  return events;
}

/** A finished run's stats: one session processed, one item, nothing failed, unless `fields` says otherwise. */
export function runStats(fields: Partial<RunStatsJson> & Pick<RunStatsJson, 'processor'>): RunStatsJson {
  return {
    run_id: 'r',
    scanned: 1,
    processed: 1,
    skipped: 0,
    capped: 0,
    errors: 0,
    quarantined: 0,
    vanished: 0,
    elsewhere: 0,
    items_extracted: 1,
    malformed_lines: 0,
    errors_detail: [],
    duration_ms: 1,
    bytes_read: 1,
    cancelled: false,
    ...fields,
  };
}

/** Empty answers for the sessions list, the run history and the processors: what a refresh after an event reads. */
export const REFRESH_HANDLERS: Handlers = {
  'sessions/list': emptySessionPage,
  'runs/history': () => [],
  'processors/list': () => [],
};
