import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CONTENT_SECURITY_POLICY } from './contentSecurityPolicy.js';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative, resolve, isAbsolute } from 'node:path';
import type { ApiEvent, ApiResponse } from './contract.js';

/** What the HTTP transport needs from the API: calls and events. */
export interface ApiEndpoint {
  handle(method: string, args: unknown): Promise<ApiResponse<unknown>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (index.html and its assets). */
  staticDir: string;
  /** `/metrics` (behind the token): Prometheus' text format. */
  metrics?: () => Promise<string>;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  /** Registers a file for download; returns its URL (used for exports). */
  offerDownload(path: string): string;
  /** A temp folder for files this server hands out. */
  downloadsDir: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** What the request handlers share: the API, the options, this start's token and port, and what is being served. */
interface ServerContext {
  api: ApiEndpoint;
  options: HttpServerOptions;
  token: string;
  /** The port listened on (0 until listening). */
  port(): number;
  downloads: Map<string, string>;
  /** Open event streams, ended on close. */
  streams: Set<ServerResponse>;
}

const allowedHosts = (ctx: ServerContext) => new Set([`${LOOPBACK}:${ctx.port()}`, `localhost:${ctx.port()}`]);

function hasToken(ctx: ServerContext, req: IncomingMessage, url: URL): boolean {
  const header = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : null;
  const given = header ?? url.searchParams.get('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(ctx.token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function route(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  if (!allowedHosts(ctx).has(req.headers.host ?? '')) return plain(res, 421, 'unknown host: use the address Session Inspector printed');
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  if (url.pathname.startsWith('/api/')) return routeApi(ctx, req, res, url);
  if (url.pathname === '/metrics' && ctx.options.metrics) return serveMetrics(ctx, ctx.options.metrics, req, res, url);
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed');
  return serveStatic(ctx.options.staticDir, res, url.pathname);
}

async function routeApi(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts(ctx).has(origin.replace(/^http:\/\//, ''))) {
    return send(res, 403, { ok: false, error: { code: 'invalid', message: `requests from ${origin} are not allowed` } });
  }
  if (!hasToken(ctx, req, url)) {
    return send(res, 401, { ok: false, error: { code: 'invalid', message: 'missing or wrong token: open the address Session Inspector printed' } });
  }
  res.setHeader('Cache-Control', 'no-store');
  if (url.pathname === '/api/call' && req.method === 'POST') return call(ctx.api, req, res);
  if (url.pathname === '/api/events' && req.method === 'GET') return events(ctx, req, res);
  const download = /^\/api\/download\/([\w-]+)$/.exec(url.pathname);
  if (download && req.method === 'GET') return serveDownload(ctx.downloads, res, download[1]);
  return send(res, 404, { ok: false, error: { code: 'not-found', message: `no API endpoint ${req.method} ${url.pathname}` } });
}

async function serveMetrics(ctx: ServerContext, metrics: () => Promise<string>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (!hasToken(ctx, req, url)) {
    return plain(res, 401, 'missing or wrong token: send Authorization: Bearer <token> (the token in the address Session Inspector printed)');
  }
  if (req.method !== 'GET') return plain(res, 405, 'method not allowed');
  res.setHeader('Cache-Control', 'no-store');
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  res.end(await metrics());
}

async function call(api: ApiEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return send(res, 415, { ok: false, error: { code: 'invalid', message: 'send JSON (Content-Type: application/json)' } });
  }
  let body: { method?: unknown; args?: unknown };
  try {
    body = JSON.parse(await readBody(req)) as typeof body;
  } catch (error) {
    return send(res, 400, { ok: false, error: { code: 'invalid', message: `request body: ${(error as Error).message}` } });
  }
  if (typeof body?.method !== 'string') {
    return send(res, 400, { ok: false, error: { code: 'invalid', message: 'request body needs "method" (a string) and "args"' } });
  }
  send(res, 200, await api.handle(body.method, body.args ?? {}));
}

function events(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'Cache-Control': 'no-store' });
  res.write(': connected\n\n');
  ctx.streams.add(res);
  const unsubscribe = ctx.api.subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(ping);
    unsubscribe();
    ctx.streams.delete(res);
  });
}

function serveDownload(downloads: Map<string, string>, res: ServerResponse, id: string): void {
  const path = downloads.get(id);
  if (!path || !existsSync(path)) return plain(res, 404, 'no such download (exports are kept while the server runs)');
  res.writeHead(200, {
    'Content-Type': path.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${basename(path)}"`,
    'Content-Length': statSync(path).size,
  });
  createReadStream(path).pipe(res);
}

function serveStatic(staticDir: string, res: ServerResponse, pathname: string): void {
  const root = resolve(staticDir);
  if (!existsSync(join(root, 'index.html'))) return plain(res, 503, `the renderer is not built (${root} has no index.html): run \`npm run build\``);
  const wanted = resolve(root, `.${decodeURIComponent(pathname)}`);
  const inside = relative(root, wanted);
  if (inside.startsWith('..') || isAbsolute(inside)) return plain(res, 404, 'not found');
  const file = existsSync(wanted) && statSync(wanted).isFile() ? wanted : join(root, 'index.html');
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Cache-Control': 'no-cache',
  });
  createReadStream(file).pipe(res);
}

/**
 * Browser mode: the same renderer and the same API over HTTP (calls) and server-sent events (events).
 * Bound to 127.0.0.1 only; every API request needs the random per-start token (Authorization header, or
 * `token` query for EventSource and downloads); requests from another origin, or naming another host
 * (DNS rebinding), are refused.
 */
export async function startHttpServer(api: ApiEndpoint, options: HttpServerOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('base64url');
  const downloadsDir = mkdtempSync(join(tmpdir(), 'session-inspector-downloads-'));
  const downloads = new Map<string, string>();
  const streams = new Set<ServerResponse>();
  let port = 0;
  const ctx: ServerContext = { api, options, token, port: () => port, downloads, streams };

  const server = createServer((req, res) => {
    void route(ctx, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'internal', message: String(error) } });
      else res.end();
    });
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, LOOPBACK, () => resolvePromise());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.port;
  const base = `http://${LOOPBACK}:${port}`;
  return {
    url: `${base}/?token=${token}`,
    port,
    token,
    downloadsDir,
    offerDownload(path: string) {
      const id = randomBytes(12).toString('base64url');
      downloads.set(id, path);
      return `/api/download/${id}?token=${token}`;
    },
    async close() {
      for (const res of streams) res.end();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(downloadsDir, { recursive: true, force: true });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
