import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import type { Client } from 'pg';
import { pg } from '../commonjs.js';
import pgpassHelper from 'pgpass/lib/helper.js';
import { jsonTypes } from './jsonTypes.js';
import { resolvePostgresSettings, type PostgresSettings } from './settings.js';
import { describePostgresUrl } from './url.js';

export { describePostgresUrl };

/** A failed connection to the state store. The message names the store without its password, never contains one. */
export class PostgresConnectError extends Error {
  /** The server's SQLSTATE (28P01: wrong password, 3D000: no such database) or Node's error code (ECONNREFUSED). */
  readonly code: string | undefined;
  constructor(
    /** The store URL without its password. */
    readonly store: string,
    reason: string,
    code?: string,
  ) {
    super(`cannot connect to the PostgreSQL state store ${store}: ${reason}`);
    this.name = 'PostgresConnectError';
    this.code = code;
  }
}

/**
 * Connects to the PostgreSQL state store at `url` (postgres://user:password@host:port/database?sslmode=…).
 * What the URL leaves out comes from PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, PGSSLROOTCERT,
 * PGCONNECT_TIMEOUT, and the password, when the server asks for one, from the password file (PGPASSFILE or ~/.pgpass).
 * TLS as libpq's sslmode: `prefer` by default (TLS whenever the server offers it, plain only when it offers none).
 * The client is set up for plain-JSON rows (jsonTypes.ts) in UTC, with application_name session-inspector.
 */
export async function connectPostgres(url: string): Promise<Client> {
  const store = describePostgresUrl(url);
  let settings: PostgresSettings;
  try {
    settings = resolvePostgresSettings(url);
  } catch (err) {
    throw new PostgresConnectError(store, (err as Error).message);
  }
  const passwords = new Set<string>();
  if (settings.password) passwords.add(settings.password);

  const fail = (err: unknown): PostgresConnectError => {
    const { message, code } = explain(err, settings);
    // Belt and braces: no password, from wherever it came, ever reaches a message.
    let reason = message;
    for (const password of passwords) reason = reason.split(password).join('***');
    return new PostgresConnectError(store, reason, code);
  };

  for (const tls of tlsAttempts(settings)) {
    let client: Client;
    try {
      client = new (pg().Client)({
        host: settings.host,
        port: settings.port,
        user: settings.user,
        database: settings.database,
        password: () => passwordFor(settings, passwords),
        ssl: tls ? tlsOptions(settings) : false,
        application_name: settings.applicationName,
        connectionTimeoutMillis: settings.connectTimeoutMs,
        types: jsonTypes,
      });
    } catch (err) {
      throw fail(err);
    }
    // Without a listener, a server restart or a dropped link while idle would crash the process; the store
    // sees the broken client on its next query instead ("Client has encountered a connection error").
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      if (retryOtherWay(err, settings, tls)) continue;
      throw fail(err);
    }
    try {
      // Rows come back as ISO text in UTC for the parsers in jsonTypes.ts, whatever the server's defaults.
      await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'");
    } catch (err) {
      await client.end().catch(() => undefined);
      throw fail(err);
    }
    return client;
  }
  // tlsAttempts always yields at least one attempt, and the last one never retries.
  throw new PostgresConnectError(store, 'no connection attempt was made');
}

/** The order to try: TLS first for prefer, plain first for allow, one way for the rest. libpq never uses TLS over a unix socket. */
function tlsAttempts(settings: PostgresSettings): boolean[] {
  if (isSocket(settings.host)) return [false];
  switch (settings.sslMode) {
    case 'disable':
      return [false];
    case 'allow':
      return [false, true];
    case 'prefer':
      return [true, false];
    default:
      return [true];
  }
}

/** prefer falls back to plain only when the server has no TLS; allow moves to TLS only when the server refuses plain. */
function retryOtherWay(err: unknown, settings: PostgresSettings, tls: boolean): boolean {
  if (settings.sslMode === 'prefer' && tls) return isNoTlsError(err);
  // 28000: no pg_hba.conf entry, e.g. a hostssl-only server.
  if (settings.sslMode === 'allow' && !tls) return (err as { code?: string }).code === '28000';
  return false;
}

// node-postgres 8.x's error when the server answers 'N' to the SSLRequest (pg/lib/connection.js).
function isNoTlsError(err: unknown): boolean {
  return err instanceof Error && err.message === 'The server does not support SSL connections';
}

function isSocket(host: string): boolean {
  return host.startsWith('/');
}

/**
 * libpq's semantics: prefer, allow and require encrypt without checking the certificate (unless require is
 * given a root certificate); verify-ca checks the chain; verify-full also checks the host name.
 * sslrootcert=system means the system's CAs (and implies full verification, as in libpq 16).
 */
function tlsOptions(settings: PostgresSettings): ConnectionOptions {
  const systemRoots = settings.sslRootCert === 'system';
  const mode = systemRoots ? 'verify-full' : settings.sslMode;
  const verify = mode === 'verify-ca' || mode === 'verify-full' || (mode === 'require' && settings.sslRootCert !== undefined);
  const options: ConnectionOptions = { rejectUnauthorized: verify };
  if (verify && settings.sslRootCert && !systemRoots) options.ca = readSslFile(settings.sslRootCert, 'sslrootcert');
  // Node checks the host name by default; verify-ca and require trust any name the CA signed.
  if (verify && mode !== 'verify-full') options.checkServerIdentity = () => undefined;
  if (settings.sslCert) options.cert = readSslFile(settings.sslCert, 'sslcert');
  if (settings.sslKey) options.key = readSslFile(settings.sslKey, 'sslkey');
  return options;
}

function readSslFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Called by pg only when the server asks for a password: the URL's or PGPASSWORD, else the password file's. */
async function passwordFor(settings: PostgresSettings, seen: Set<string>): Promise<string> {
  if (settings.password !== undefined) return settings.password;
  const fromFile = await passwordFromFile(settings);
  if (fromFile !== undefined) {
    seen.add(fromFile);
    return fromFile;
  }
  throw new Error(
    `the server asks for a password for user "${settings.user}" and none was given: ` +
      `put it in the URL, in PGPASSWORD, or in the password file ${settings.passFile} (mode 0600)`,
  );
}

async function passwordFromFile(settings: PostgresSettings): Promise<string | undefined> {
  const file = settings.passFile;
  const stats = await stat(file).catch(() => undefined);
  // usePgPass refuses (with a warning on stderr) a file that group or others can read, as libpq does.
  if (!stats || !pgpassHelper.usePgPass(stats, file)) return undefined;
  // libpq matches socket connections against the host name "localhost".
  const host = isSocket(settings.host) ? 'localhost' : settings.host;
  return new Promise((resolve) => {
    pgpassHelper.getPassword({ host, port: settings.port, database: settings.database, user: settings.user }, createReadStream(file), resolve);
  });
}

const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A reason a person can act on, from pg's, the server's or Node's error. */
function explain(err: unknown, settings: PostgresSettings): { message: string; code: string | undefined } {
  const e = err as Error & { code?: string };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const where = isSocket(settings.host) ? `the socket in ${settings.host}` : `${settings.host}:${settings.port}`;
  if (isNoTlsError(err)) {
    return { message: `the server does not offer TLS, and sslmode=${settings.sslMode} requires it (sslmode=prefer allows a plain connection)`, code };
  }
  if (code && TLS_VERIFY_CODES.has(code)) {
    const roots = settings.sslRootCert ? `sslrootcert ${settings.sslRootCert}` : "Node's default CAs (set sslrootcert)";
    return { message: `the server's TLS certificate was refused (sslmode=${settings.sslMode}, checked against ${roots}): ${e.message}`, code };
  }
  if (code === 'ECONNREFUSED') return { message: `connection refused at ${where}: is the server running and listening there?`, code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { message: `unknown host "${settings.host}"`, code };
  if (e instanceof Error && /timeout/i.test(e.message) && !code) {
    return { message: `no answer from ${where} within ${settings.connectTimeoutMs / 1000} s (connect_timeout)`, code: 'ETIMEDOUT' };
  }
  return { message: e instanceof Error ? e.message : String(err), code };
}
