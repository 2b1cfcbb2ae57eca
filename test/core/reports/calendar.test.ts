import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimeZone, parseDay, weekOf, ZoneCalendar } from '../../../main/core/reports/calendar.js';
import { reportOptions } from '../../../main/core/reports/reportOptions.js';

const ms = (iso: string) => Date.parse(iso);

test('calendar: local days in half- and quarter-hour zones and across daylight-saving changes', () => {
  const kolkata = new ZoneCalendar('Asia/Kolkata'); // +05:30
  assert.equal(kolkata.day(ms('2025-10-20T18:29:59.999Z')), '2025-10-20');
  assert.equal(kolkata.day(ms('2025-10-20T18:30:00.000Z')), '2025-10-21');
  const kathmandu = new ZoneCalendar('Asia/Kathmandu'); // +05:45
  assert.equal(kathmandu.day(ms('2025-10-20T18:14:59.999Z')), '2025-10-20');
  assert.equal(kathmandu.day(ms('2025-10-20T18:15:00.000Z')), '2025-10-21');
  const berlin = new ZoneCalendar('Europe/Berlin'); // +01:00, then +02:00 from 2025-03-30 01:00 UTC
  assert.equal(berlin.day(ms('2025-03-29T22:59:59.999Z')), '2025-03-29');
  assert.equal(berlin.day(ms('2025-03-29T23:00:00.000Z')), '2025-03-30');
  assert.equal(berlin.day(ms('2025-03-30T21:59:59.999Z')), '2025-03-30');
  assert.equal(berlin.day(ms('2025-03-30T22:00:00.000Z')), '2025-03-31');
  const lordHowe = new ZoneCalendar('Australia/Lord_Howe'); // +10:30, +11:00 in (southern) summer: a half-hour change
  assert.equal(lordHowe.day(ms('2025-01-15T12:59:59.999Z')), '2025-01-15');
  assert.equal(lordHowe.day(ms('2025-01-15T13:00:00.000Z')), '2025-01-16');
  assert.equal(lordHowe.day(ms('2025-07-15T13:29:59.999Z')), '2025-07-15');
  assert.equal(lordHowe.day(ms('2025-07-15T13:30:00.000Z')), '2025-07-16');
  // Every instant of a day of minutes agrees with Intl itself (the cache is per quarter-hour).
  const newYork = new ZoneCalendar('America/New_York');
  const direct = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' });
  for (let t = ms('2025-11-01T00:00:00Z'); t < ms('2025-11-04T00:00:00Z'); t += 60_000 + 7)
    assert.equal(newYork.day(t), direct.format(t), new Date(t).toISOString());
});

test("calendar: weeks start on the chosen day; months are the local day's", () => {
  assert.equal(weekOf('2025-09-03', 'sunday'), '2025-08-31');
  assert.equal(weekOf('2025-08-31', 'sunday'), '2025-08-31');
  assert.equal(weekOf('2025-09-03', 'monday'), '2025-09-01');
  assert.equal(weekOf('2025-03-01', 'monday'), '2025-02-24');
});

test('report options: bad input names its flag', () => {
  assert.throws(() => checkTimeZone('Mars/Olympus'), /--timezone: "Mars\/Olympus" is not an IANA time zone/);
  assert.equal(parseDay('20250901', '--since'), '2025-09-01');
  assert.equal(parseDay('2025-09-01', '--since'), '2025-09-01');
  assert.throws(() => parseDay('2025-13-01', '--since'), /--since: "2025-13-01" is not a date/);
  assert.throws(() => parseDay('2025-02-30', '--until'), /--until: "2025-02-30" is not a date/);
  assert.throws(() => reportOptions({ since: '2025-09-02', until: '2025-09-01' }), /--since 2025-09-02 is after --until 2025-09-01/);
  assert.throws(() => reportOptions({ order: 'up' }), /--order/);
  assert.throws(() => reportOptions({ weekStart: 'someday' }), /--week-start/);
  assert.equal(reportOptions({ timezone: 'Asia/Kolkata' }).timeZone, 'Asia/Kolkata');
});
