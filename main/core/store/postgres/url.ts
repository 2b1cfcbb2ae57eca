// Kept apart from connect.ts so that naming a store in a message never loads the PostgreSQL driver.

/** The URL for messages and logs: the password (in the user info or a `password=` parameter) removed. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    // An '@' in the path means a password with an unencoded '/' ("alice:12/x@db"): the parse is wrong, redact by hand.
    if (parsed.pathname.includes('@')) throw new Error('misparsed');
    parsed.password = '';
    // A fragment is never part of a PostgreSQL URL.
    parsed.hash = '';
    if (parsed.search) {
      // Filtered by hand: rewriting searchParams would re-encode the other parameters.
      const kept = parsed.search
        .slice(1)
        .split('&')
        .filter((pair) => !/^password(=|$)/i.test(pair));
      parsed.search = kept.length ? `?${kept.join('&')}` : '';
    }
    return parsed.toString();
  } catch {
    // Not parseable (an unencoded '#', '/' or space in the password, say): the user info runs to the last '@'.
    const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@([^@]*)$/is.exec(url);
    const redacted = m ? `${m[1]}${m[2].split(':')[0]}@${m[3]}` : url;
    return redacted.replace(/#.*$/s, '').replace(/([?&])password=[^&]*/gi, '$1password=***');
  }
}
