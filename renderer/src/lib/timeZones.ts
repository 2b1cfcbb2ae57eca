// Time zones the usage page offers. Pure.

/** The zone this browser shows times in: the usage page's default. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Suggestions for the zone picker: UTC, the browser's zone and every zone Intl knows. Any IANA name may
 * still be typed: Chromium lists some zones only by their old names (Asia/Calcutta for Asia/Kolkata), and
 * main accepts both.
 */
export function timeZoneChoices(): string[] {
  return [...new Set(['UTC', browserTimeZone(), ...Intl.supportedValuesOf('timeZone')])];
}
