import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { PostgresConnectError, connectPostgres, describePostgresUrl } from '../../../main/core/store/postgres/connect.js';
import { parseNumeric, parseTimestamp } from '../../../main/core/store/postgres/jsonTypes.js';
import { tempDir } from '../../helpers.js';
import { PostgresNotInstalledError, startCluster, type Cluster } from '../../support/postgresCluster.js';

const PASSWORD = 'pw-S3cret:@/#x';
const WRONG = 'not-the-pw-9f2c';

// Two small clusters of our own (about a second each): one offering TLS and asking for a password, one plain and trusting.
let tls: Cluster | undefined;
let plain: Cluster | undefined;
let skipReason: string | undefined;

// The developer's PG* variables and ~/.pgpass must not leak into these tests: they get an empty HOME and no PG*.
const savedEnv = { ...process.env };
const home = tempDir();

before(async () => {
  for (const key of Object.keys(process.env)) if (key.startsWith('PG')) delete process.env[key];
  process.env.HOME = home;
  try {
    [tls, plain] = await Promise.all([startCluster({ ssl: true, password: PASSWORD }), startCluster()]);
  } catch (err) {
    if (!(err instanceof PostgresNotInstalledError)) throw err;
    skipReason = err.message;
  }
});

after(async () => {
  await Promise.all([tls?.stop(), plain?.stop()]);
  process.env = savedEnv;
});

/** The TLS cluster's URL without credentials, for tests that supply the password another way. */
function tlsUrl(user = 'postgres', query = ''): string {
  return `postgres://${user}@127.0.0.1:${tls!.port}/${tls!.database}${query}`;
}

function withPassword(password: string, query = ''): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${tls!.port}/${tls!.database}${query}`;
}

/** Sets environment variables for one test, then restores them. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = { ...process.env };
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    process.env = before;
  }
}

async function usesTls(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  return rows[0].ssl as boolean;
}

async function connected<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectPostgres(url);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The rejection of connectPostgres(url), checked to be ours and free of every given secret. */
async function connectError(url: string, ...secrets: string[]): Promise<PostgresConnectError> {
  const err = await connectPostgres(url).then(
    (client) => client.end().then(() => assert.fail(`connected to ${describePostgresUrl(url)}, expected a failure`)),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PostgresConnectError, `not a PostgresConnectError: ${String(err)}`);
  for (const secret of secrets) {
    assert.ok(!err.message.includes(secret), `the message shows a password: ${err.message}`);
    assert.ok(!err.message.includes(encodeURIComponent(secret)), `the message shows an encoded password: ${err.message}`);
  }
  return err;
}

test('TLS is used when the server offers it, with no sslmode given; the session is UTC and named', async (t) => {
  if (skipReason) return t.skip(skipReason);
  await connected(withPassword(PASSWORD), async (client) => {
    assert.equal(await usesTls(client), true);
    const { rows } = await client.query("SELECT current_setting('TimeZone') AS tz, current_setting('application_name') AS app");
    assert.deepEqual(rows, [{ tz: 'UTC', app: 'session-inspector' }]);
  });
});

test('sslmode=disable never uses TLS, even when the server offers it; allow tries plain first', async (t) => {
  if (skipReason) return t.skip(skipReason);
  await connected(withPassword(PASSWORD, '?sslmode=disable'), async (client) => assert.equal(await usesTls(client), false));
  await connected(withPassword(PASSWORD, '?sslmode=allow'), async (client) => assert.equal(await usesTls(client), false));
});

test('a unix socket folder as host connects without TLS, as libpq does', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const url = `postgres:///${tls!.database}?host=${encodeURIComponent(tls!.socketDir)}&port=${tls!.port}&user=postgres&sslmode=require`;
  await connected(url, async (client) => {
    const { rows } = await client.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    assert.deepEqual(rows, [{ ssl: false }]);
  });
});

test('a server without TLS gets a plain connection under the default sslmode, and a clear refusal under require', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const base = `postgres://postgres@127.0.0.1:${plain!.port}/${plain!.database}`;
  await connected(base, async (client) => assert.equal(await usesTls(client), false));

  const err = await connectError(`${base}?sslmode=require`);
  assert.equal(
    err.message,
    `cannot connect to the PostgreSQL state store ${base}?sslmode=require: ` +
      'the server does not offer TLS, and sslmode=require requires it (sslmode=prefer allows a plain connection)',
  );
});

test("verify-full accepts the server's certificate from sslrootcert and refuses it without", async (t) => {
  if (skipReason) return t.skip(skipReason);
  await connected(withPassword(PASSWORD, `?sslmode=verify-full&sslrootcert=${encodeURIComponent(tls!.certFile!)}`), async (client) =>
    assert.equal(await usesTls(client), true),
  );
  // No sslrootcert and no ~/.postgresql/root.crt (HOME is empty): Node's CAs do not know a self-signed certificate.
  const err = await connectError(withPassword(PASSWORD, '?sslmode=verify-ca'), PASSWORD);
  assert.match(err.message, /the server's TLS certificate was refused \(sslmode=verify-ca, checked against Node's default CAs/);
});

test('a wrong password fails with a message that names the store without the password', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const err = await connectError(withPassword(WRONG), WRONG);
  assert.equal(err.message, `cannot connect to the PostgreSQL state store ${tlsUrl()}: password authentication failed for user "postgres"`);
  assert.equal(err.code, '28P01');
  assert.equal(err.store, tlsUrl());

  // The same through PGPASSWORD, and with a password URL parameter.
  const viaEnv = await withEnv({ PGPASSWORD: WRONG }, () => connectError(tlsUrl(), WRONG));
  assert.equal(viaEnv.code, '28P01');
  const viaParameter = await connectError(`${tlsUrl()}?password=${WRONG}&sslmode=require`, WRONG);
  assert.equal(viaParameter.store, `${tlsUrl()}?sslmode=require`);
});

test('the password comes from a 0600 password file (PGPASSFILE) and only from one nobody else can read', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const file = join(tempDir(), 'pgpass');
  // Colons and backslashes in a password file field are escaped with a backslash.
  writeFileSync(file, `# a comment line\nother-host:*:*:*:nope\n127.0.0.1:${tls!.port}:*:postgres:${PASSWORD.replace(/[:\\]/g, '\\$&')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  await withEnv({ PGPASSFILE: file }, () => connected(tlsUrl(), async (client) => assert.equal(await usesTls(client), true)));

  // libpq's rule: a password file readable by group or others is ignored (with a warning on stderr).
  chmodSync(file, 0o644);
  const err = await withEnv({ PGPASSFILE: file }, () => connectError(tlsUrl(), PASSWORD));
  assert.match(err.message, /the server asks for a password for user "postgres" and none was given: .* password file .*pgpass \(mode 0600\)$/);
});

test('PG* variables fill in what the URL leaves out, and the URL wins over them', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const env = { PGHOST: '127.0.0.1', PGPORT: String(tls!.port), PGUSER: 'postgres', PGDATABASE: tls!.database, PGPASSWORD: PASSWORD, PGSSLMODE: 'disable' };
  await withEnv(env, () =>
    connected('postgres://', async (client) => {
      assert.equal(await usesTls(client), false);
      const { rows } = await client.query('SELECT current_user AS "user", current_database() AS db');
      assert.deepEqual(rows, [{ user: 'postgres', db: tls!.database }]);
    }),
  );
  // The URL's port and sslmode beat PGPORT and PGSSLMODE.
  await withEnv({ ...env, PGPORT: '1' }, () =>
    connected(`postgres://127.0.0.1:${tls!.port}?sslmode=require`, async (client) => assert.equal(await usesTls(client), true)),
  );
});

test('rows come back as plain JSON: ISO UTC timestamps, dates as text, exact numbers or their text, parsed json', async (t) => {
  if (skipReason) return t.skip(skipReason);
  await connected(withPassword(PASSWORD), async (client) => {
    // A session time zone far from UTC on the server side must not shift anything.
    await client.query("ALTER ROLE postgres SET TimeZone = 'Asia/Kolkata'");
    try {
      await connected(withPassword(PASSWORD), async (other) => {
        const { rows } = await other.query(`SELECT
          '2025-09-01 10:00:00'::timestamp AS ts,
          '2025-09-01 10:00:00.123456'::timestamp AS ts_micro,
          '2025-09-01 15:30:00+05:30'::timestamptz AS tstz,
          '0044-03-15 12:00:00 BC'::timestamp AS ts_bc,
          'infinity'::timestamptz AS ts_inf,
          '2025-09-01'::date AS d,
          ARRAY['2025-09-01 10:00:00+00'::timestamptz, NULL] AS ts_array,
          9007199254740991::int8 AS int8_safe,
          9007199254740993::int8 AS int8_big,
          -42::int8 AS int8_negative,
          ARRAY[1, 9223372036854775807]::int8[] AS int8_array,
          1.50::numeric(10, 2) AS numeric_exact,
          0.1::numeric AS numeric_tenth,
          12345678901234567890.5::numeric AS numeric_big,
          0.1000000000000000000001::numeric AS numeric_precise,
          'NaN'::numeric AS numeric_nan,
          'Infinity'::float8 AS float_inf,
          2.5::float8 AS float,
          7::int4 AS int4,
          '{"a": [1, 2], "b": null}'::jsonb AS jsonb,
          '[1, "x"]'::json AS json,
          '\\x0102ff'::bytea AS bytes,
          '1 day 2 hours'::interval AS span,
          NULL::timestamp AS nothing`);
        assert.deepEqual(rows, [
          {
            ts: '2025-09-01T10:00:00.000Z',
            ts_micro: '2025-09-01T10:00:00.123Z',
            tstz: '2025-09-01T10:00:00.000Z',
            ts_bc: '-000043-03-15T12:00:00.000Z',
            ts_inf: 'infinity',
            d: '2025-09-01',
            ts_array: ['2025-09-01T10:00:00.000Z', null],
            int8_safe: 9007199254740991,
            int8_big: '9007199254740993',
            int8_negative: -42,
            int8_array: [1, '9223372036854775807'],
            numeric_exact: 1.5,
            numeric_tenth: 0.1,
            numeric_big: '12345678901234567890.5',
            numeric_precise: '0.1000000000000000000001',
            numeric_nan: 'NaN',
            float_inf: 'Infinity',
            float: 2.5,
            int4: 7,
            jsonb: { a: [1, 2], b: null },
            json: [1, 'x'],
            bytes: Buffer.from([1, 2, 255]).toString('base64'),
            span: 'P1DT2H',
            nothing: null,
          },
        ]);
        const { rows: zone } = await other.query("SELECT current_setting('TimeZone') AS tz");
        assert.deepEqual(zone, [{ tz: 'UTC' }]);
      });
    } finally {
      await client.query('ALTER ROLE postgres RESET TimeZone');
    }
  });
});

test('timestamps with any offset become UTC, and numerics stay numbers only while exact', () => {
  assert.equal(parseTimestamp('2025-09-01 10:00:00+00'), '2025-09-01T10:00:00.000Z');
  assert.equal(parseTimestamp('2025-09-01 05:00:00-05'), '2025-09-01T10:00:00.000Z');
  assert.equal(parseTimestamp('2025-09-01 15:30:00.5+05:30'), '2025-09-01T10:00:00.500Z');
  assert.equal(parseTimestamp('0099-12-31 23:59:59'), '0099-12-31T23:59:59.000Z');
  assert.equal(parseTimestamp('294276-12-31 23:59:59'), '294276-12-31 23:59:59');
  assert.equal(parseNumeric('1000000000000000000000'), 1e21);
  assert.equal(parseNumeric('-0.000'), 0);
  assert.equal(parseNumeric('9007199254740993'), '9007199254740993');
  assert.equal(parseNumeric('0.30000000000000004'), 0.30000000000000004);
  assert.equal(parseNumeric('0.3000000000000000444'), '0.3000000000000000444');
});

test('describePostgresUrl removes passwords wherever they are', () => {
  assert.equal(describePostgresUrl('postgres://alice:s3cret@127.0.0.1:5432/si'), 'postgres://alice@127.0.0.1:5432/si');
  assert.equal(
    describePostgresUrl('postgresql://alice@db.example/si?sslmode=verify-full&password=s3cret'),
    'postgresql://alice@db.example/si?sslmode=verify-full',
  );
  assert.equal(describePostgresUrl('postgres://db/si?password=s3cret'), 'postgres://db/si');
  // Not a valid URL (an unencoded '#' in the password): still no password.
  assert.equal(describePostgresUrl('postgres://alice:pa#ss@db:5432/si'), 'postgres://alice@db:5432/si');
  assert.equal(describePostgresUrl('postgres://alice:12/ss@db/si'), 'postgres://alice@db/si');
  assert.equal(describePostgresUrl('postgres://alice:pa ss@db:99999/si'), 'postgres://alice@db:99999/si');
});

test('bad URLs and settings are refused before connecting, by name and without the password', async () => {
  const cases: Array<[string, RegExp]> = [
    [
      'postgres://alice:s3cret@127.0.0.1/si?sslmod=require',
      /^cannot connect to the PostgreSQL state store postgres:\/\/alice@127\.0\.0\.1\/si\?sslmod=require: unknown URL parameter "sslmod"/,
    ],
    ['postgres://alice:s3cret@127.0.0.1/si?sslmode=maybe', /invalid sslmode "maybe" \(one of disable, allow, prefer, require, verify-ca, verify-full\)$/],
    ['mysql://alice:s3cret@127.0.0.1/si', /unsupported scheme "mysql:"/],
    [
      'postgres://alice:12/s3cret@127.0.0.1/si',
      new RegExp(
        String.raw`^cannot connect to the PostgreSQL state store postgres://alice@127\.0\.0\.1/si: ` +
          'the URL does not parse as user:password@host:port/database: percent-encode',
      ),
    ],
    ['postgres://alice:s3cret@127.0.0.1/si?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt', /cannot read sslrootcert \/nonexistent\/ca\.crt: ENOENT$/],
  ];
  for (const [url, expected] of cases) {
    const err = await connectError(url, 's3cret');
    assert.match(err.message, expected);
  }
});

test('a server that is not there is named with its address', async () => {
  const err = await connectError('postgres://alice:s3cret@127.0.0.1:1/si?sslmode=disable', 's3cret');
  assert.equal(
    err.message,
    'cannot connect to the PostgreSQL state store postgres://alice@127.0.0.1:1/si?sslmode=disable: ' +
      'connection refused at 127.0.0.1:1: is the server running and listening there?',
  );
  assert.equal(err.code, 'ECONNREFUSED');
});
