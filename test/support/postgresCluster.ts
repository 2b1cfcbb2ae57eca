import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL server for tests, built from Debian's server binaries (package `postgresql`):
 * its own temp data folder, loopback only, a free port, fsync off. Never touches a system cluster.
 */
export interface Cluster {
  /** Connects as the superuser to the test database; carries the password when the cluster has one. */
  url: string;
  port: number;
  /** The data folder (PGDATA); its parent temp folder also holds the socket, the log and any certificate. */
  dataDir: string;
  /** The folder of the server's unix socket (local connections are trusted, with or without a password). */
  socketDir: string;
  user: string;
  database: string;
  /** The self-signed server certificate (also its own CA) when started with `ssl: true`. */
  certFile?: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Serve TLS with a fresh self-signed certificate for 127.0.0.1 and localhost. */
  ssl?: boolean;
  /** The superuser's password; TCP connections then need it (scram-sha-256). Without it TCP is trusted. */
  password?: string;
}

/** Thrown when Debian's PostgreSQL server binaries are not installed; callers may skip instead of failing. */
export class PostgresNotInstalledError extends Error {
  constructor(detail: string) {
    super(`PostgreSQL server not installed (${detail}); install Debian's postgresql (apt-get install postgresql)`);
    this.name = 'PostgresNotInstalledError';
  }
}

const SUPERUSER = 'postgres';
const DATABASE = 'session_inspector';
const START_TIMEOUT_S = 60;
const PORT_ATTEMPTS = 3;

/** The newest Debian server version's bin folder (/usr/lib/postgresql/<major>/bin) that has initdb and pg_ctl. */
export function findServerBinaries(): { initdb: string; pgCtl: string; version: number } {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+$/.test(v))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  for (const version of versions) {
    const bin = join(base, String(version), 'bin');
    const initdb = join(bin, 'initdb');
    const pgCtl = join(bin, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl, version };
  }
  throw new PostgresNotInstalledError(
    versions.length ? `no initdb and pg_ctl in ${versions.map((v) => `${base}/${v}/bin`).join(', ')}` : `${base}/*/bin/initdb not found`,
  );
}

/** Clusters of this process still running, stopped synchronously if the process exits without stop(). */
const running = new Set<{ pgCtl: string; dataDir: string; base: string; asPostgres: boolean }>();
let exitHookInstalled = false;

type Run = (file: string, args: string[]) => Promise<unknown>;
type Owner = { uid: number; gid: number } | undefined;

/** initdb: a superuser with trusted local logins; TCP logins need `password` when one is given. */
async function initCluster(run: Run, initdb: string, dataDir: string, base: string, owner: Owner, password: string | undefined): Promise<void> {
  const initArgs = ['-D', dataDir, '-U', SUPERUSER, '-E', 'UTF8', '--no-locale', '--no-sync', '--auth-local=trust'];
  if (password !== undefined) {
    const pwFile = join(base, 'pwfile');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwFile, owner.uid, owner.gid);
    initArgs.push(`--pwfile=${pwFile}`, '--auth-host=scram-sha-256');
    await run(initdb, initArgs).finally(() => rmSync(pwFile, { force: true }));
  } else {
    initArgs.push('--auth-host=trust');
    await run(initdb, initArgs);
  }
}

/** Appends the test settings to postgresql.conf (a certificate made for `ssl`); returns the certificate's path. */
async function configureCluster(dataDir: string, base: string, owner: Owner, ssl: boolean | undefined): Promise<string | undefined> {
  // Later lines of postgresql.conf win over initdb's defaults.
  const settings = [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${base}'`,
    // Throwaway data: durability only costs time.
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'shared_buffers = 32MB',
    'max_connections = 100',
  ];
  let certFile: string | undefined;
  if (ssl) {
    certFile = join(base, 'server.crt');
    const keyFile = join(base, 'server.key');
    await makeCertificate(certFile, keyFile);
    // The server refuses a key readable by others, and must own it.
    chmodSync(keyFile, 0o600);
    if (owner) {
      chownSync(keyFile, owner.uid, owner.gid);
      chownSync(certFile, owner.uid, owner.gid);
    }
    settings.push('ssl = on', `ssl_cert_file = '${certFile}'`, `ssl_key_file = '${keyFile}'`);
  }
  appendFileSync(join(dataDir, 'postgresql.conf'), `\n# session-inspector test cluster\n${settings.join('\n')}\n`);
  return certFile;
}

/** Starts the server on a free port; returns the port. */
async function startServer(run: Run, pgCtl: string, dataDir: string, logFile: string): Promise<number> {
  // Another process may take the port between our probe and the server's bind: retry on a new one.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      await run(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', String(START_TIMEOUT_S), '-o', `-p ${port}`, 'start']);
      return port;
    } catch (err) {
      const log = logTail(logFile);
      if (attempt < PORT_ATTEMPTS && /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(log)) continue;
      throw new Error(`${(err as Error).message}\nserver log (${logFile}):\n${log}`);
    }
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const { initdb, pgCtl } = findServerBinaries();
  // initdb and the server refuse to run as root: as root, run them as Debian's `postgres` system user.
  const asPostgres = process.getuid?.() === 0;
  let owner: Owner;
  if (asPostgres) {
    owner = systemUser(SUPERUSER);
    if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser'))
      throw new Error('running as root, but runuser (util-linux) is missing to start PostgreSQL as the postgres user');
  }

  const base = mkdtempSync(join(tmpdir(), 'si-pg-'));
  const dataDir = join(base, 'data');
  const logFile = join(base, 'server.log');
  const handle = { pgCtl, dataDir, base, asPostgres };
  try {
    if (owner) chownSync(base, owner.uid, owner.gid);
    const run = (file: string, args: string[]) => runChecked(asPostgres, file, args, base);
    await initCluster(run, initdb, dataDir, base, owner, options.password);
    const certFile = await configureCluster(dataDir, base, owner, options.ssl);

    running.add(handle);
    installExitHook();
    const port = await startServer(run, pgCtl, dataDir, logFile);

    await createDatabase(port, options.password, logFile);
    const auth = options.password !== undefined ? `${SUPERUSER}:${encodeURIComponent(options.password)}` : SUPERUSER;
    let stopped: Promise<void> | undefined;
    return {
      url: `postgres://${auth}@127.0.0.1:${port}/${DATABASE}`,
      port,
      dataDir,
      socketDir: base,
      user: SUPERUSER,
      database: DATABASE,
      certFile,
      stop: () => (stopped ??= stopCluster(handle)),
    };
  } catch (err) {
    await stopCluster(handle).catch(() => undefined);
    throw new Error(`could not start a test PostgreSQL cluster: ${(err as Error).message}`);
  }
}

async function stopCluster(handle: { pgCtl: string; dataDir: string; base: string; asPostgres: boolean }): Promise<void> {
  running.delete(handle);
  try {
    // immediate: no checkpoint, the data is thrown away anyway.
    if (existsSync(join(handle.dataDir, 'postmaster.pid')))
      await runChecked(handle.asPostgres, handle.pgCtl, ['-D', handle.dataDir, '-m', 'immediate', '-w', 'stop'], handle.base);
  } finally {
    rmSync(handle.base, { recursive: true, force: true });
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test process that ends without stop() (a failed assertion, an uncaught error) must not leave a server running.
  process.on('exit', () => {
    for (const handle of running) {
      const [file, args] = command(handle.asPostgres, handle.pgCtl, ['-D', handle.dataDir, '-m', 'immediate', '-w', 'stop']);
      spawnSync(file, args, { cwd: handle.base, stdio: 'ignore' });
      rmSync(handle.base, { recursive: true, force: true });
    }
  });
}

function command(asPostgres: boolean, file: string, args: string[]): [string, string[]] {
  return asPostgres ? ['runuser', ['-u', SUPERUSER, '--', file, ...args]] : [file, args];
}

/** Runs a server tool to completion; rejects with its output when it fails. */
function runChecked(asPostgres: boolean, file: string, args: string[], cwd: string): Promise<void> {
  const [cmd, cmdArgs] = command(asPostgres, file, args);
  return new Promise((resolve, reject) => {
    // cwd: the postgres user cannot enter root's working folder, and initdb warns about it.
    const child = spawn(cmd, cmdArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`${file.split('/').pop()} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${output.trim().split('\n').slice(-15).join('\n')}`),
        );
    });
  });
}

async function makeCertificate(certFile: string, keyFile: string): Promise<void> {
  const openssl = spawnSync('openssl', ['version'], { stdio: 'ignore' });
  if (openssl.error || openssl.status !== 0) throw new Error('openssl is not installed: it makes the test certificate (apt-get install openssl)');
  // A P-256 key: generated in milliseconds, unlike RSA.
  await runChecked(
    false,
    'openssl',
    [
      'req',
      '-x509',
      '-new',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    tmpdir(),
  );
}

function systemUser(name: string): { uid: number; gid: number } {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (result.status !== 0 || gid.status !== 0) {
    throw new Error(`running as root, but there is no "${name}" system user to run PostgreSQL as (Debian's postgresql package creates it)`);
  }
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** pg_ctl -w has seen the server ready; this also proves TCP works before handing out the URL. */
async function createDatabase(port: number, password: string | undefined, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_S * 1000;
  for (;;) {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user: SUPERUSER,
      password: password ?? '',
      database: 'postgres',
      ssl: false,
      connectionTimeoutMillis: 5000,
    });
    try {
      await client.connect();
      await client.query(`CREATE DATABASE ${DATABASE}`);
      return;
    } catch (err) {
      // 57P03: the database system is starting up.
      if ((err as { code?: string }).code !== '57P03' || Date.now() > deadline) {
        throw new Error(`cannot create the test database on 127.0.0.1:${port}: ${(err as Error).message}\nserver log (${logFile}):\n${logTail(logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
