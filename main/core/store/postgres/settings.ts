import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';

/** libpq's TLS modes. `prefer` (the default) uses TLS whenever the server offers it. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where to connect, resolved like libpq does: the URL first, then the PG* variables, then the defaults. */
export interface PostgresSettings {
  /** A host name, an IP address, or a folder holding the server's unix socket. */
  host: string;
  port: number;
  user: string;
  database: string;
  /** From the URL or PGPASSWORD; undefined means "look in the password file if the server asks". */
  password: string | undefined;
  /** The password file to look in: PGPASSFILE, else ~/.pgpass. */
  passFile: string;
  sslMode: SslMode;
  /** CA certificate(s) the server's certificate is checked against (verify-ca, verify-full; require when given). */
  sslRootCert: string | undefined;
  /** Client certificate and key, for servers that authenticate by certificate. */
  sslCert: string | undefined;
  sslKey: string | undefined;
  applicationName: string;
  connectTimeoutMs: number;
}

const APPLICATION_NAME = 'session-inspector';
/** libpq waits forever by default; a state store that cannot be reached should say so within seconds. */
const DEFAULT_CONNECT_TIMEOUT_S = 10;

/** URL query parameters we honour (libpq's names). Anything else is refused: a typo in `sslmode` must not silently downgrade TLS. */
const QUERY_PARAMETERS = [
  'host',
  'port',
  'user',
  'password',
  'dbname',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'connect_timeout',
] as const;
type QueryParameter = (typeof QUERY_PARAMETERS)[number];

/** A bad URL or setting; the message never contains the password. */
export class PostgresSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresSettingsError';
  }
}

/** Resolves a `postgres://` or `postgresql://` URL (any part may be left out) against the PG* variables of `env`. */
export function resolvePostgresSettings(url: string, env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  const fromUrl = parsePostgresUrl(url);
  const pick = (key: QueryParameter, variable: string): string | undefined => nonEmpty(fromUrl[key]) ?? nonEmpty(env[variable]);

  const host = pick('host', 'PGHOST') ?? 'localhost';
  const portText = pick('port', 'PGPORT') ?? '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PostgresSettingsError(`invalid port "${portText}" (1-65535)`);
  const user = pick('user', 'PGUSER') ?? userInfo().username;
  const database = pick('dbname', 'PGDATABASE') ?? user;
  const password = pick('password', 'PGPASSWORD');

  const sslModeText = pick('sslmode', 'PGSSLMODE') ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(sslModeText)) {
    throw new PostgresSettingsError(`invalid sslmode "${sslModeText}" (one of ${SSL_MODES.join(', ')})`);
  }
  const sslMode = sslModeText as SslMode;
  // libpq's default root certificate, used when it exists.
  const defaultRootCert = join(homedir(), '.postgresql', 'root.crt');
  const sslRootCert = pick('sslrootcert', 'PGSSLROOTCERT') ?? (existsSync(defaultRootCert) ? defaultRootCert : undefined);

  const timeoutText = pick('connect_timeout', 'PGCONNECT_TIMEOUT') ?? String(DEFAULT_CONNECT_TIMEOUT_S);
  const timeoutS = Number(timeoutText);
  if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new PostgresSettingsError(`invalid connect_timeout "${timeoutText}" (seconds)`);

  return {
    host,
    port,
    user,
    database,
    password,
    passFile: nonEmpty(env.PGPASSFILE) ?? join(homedir(), '.pgpass'),
    sslMode,
    sslRootCert,
    sslCert: pick('sslcert', 'PGSSLCERT'),
    sslKey: pick('sslkey', 'PGSSLKEY'),
    applicationName: fromUrl.application_name ?? APPLICATION_NAME,
    // 0 means no limit, as in libpq.
    connectTimeoutMs: timeoutS * 1000,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The parts a URL gives, by libpq's parameter names; the URL's user info and path win over its query. */
function parsePostgresUrl(url: string): Partial<Record<QueryParameter, string>> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PostgresSettingsError('not a valid URL (expected postgres://user@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new PostgresSettingsError(`unsupported scheme "${parsed.protocol}" (expected postgres:// or postgresql://)`);
  }
  // Both come from an unencoded '#', '/' or '@' in a password, which would otherwise end up in the host, port or database.
  if (parsed.hash || parsed.pathname.includes('@')) {
    throw new PostgresSettingsError(
      "the URL does not parse as user:password@host:port/database: percent-encode '#', '/', '@' and ':' in the password (%23, %2F, %40, %3A)",
    );
  }
  const out: Partial<Record<QueryParameter, string>> = {};
  for (const [key, value] of parsed.searchParams) {
    if (!(QUERY_PARAMETERS as readonly string[]).includes(key)) {
      throw new PostgresSettingsError(`unknown URL parameter "${key}" (supported: ${QUERY_PARAMETERS.join(', ')})`);
    }
    out[key as QueryParameter] = value;
  }
  const decode = (text: string, what: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new PostgresSettingsError(`invalid percent-encoding in the URL's ${what}`);
    }
  };
  // IPv6 literals come back bracketed: "[::1]".
  if (parsed.hostname) out.host = decode(parsed.hostname.replace(/^\[(.*)\]$/, '$1'), 'host');
  if (parsed.port) out.port = parsed.port;
  if (parsed.username) out.user = decode(parsed.username, 'user name');
  if (parsed.password) out.password = decode(parsed.password, 'password');
  const path = parsed.pathname.replace(/^\//, '');
  if (path) out.dbname = decode(path, 'database name');
  return out;
}
