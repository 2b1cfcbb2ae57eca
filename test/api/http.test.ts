import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { startHttpServer } from '../../main/api/httpServer.js';
import { tempDir, userRecord, writeSession } from '../helpers.js';
import { openService } from './harness.js';

/** A raw HTTP request (so Host and Origin can be set to anything). */
function raw(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function setup() {
  const api = await openService();
  writeSession(api.root, 'alice/a.jsonl', [userRecord('hello')]);
  await api.call('sessions/refresh', {});
  const staticDir = tempDir('si-static-');
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Session Inspector</title>');
  writeFileSync(join(tempDir('si-secret-'), 'secret.txt'), 'secret');
  const server = await startHttpServer(api.service, { port: 0, staticDir });
  const host = `127.0.0.1:${server.port}`;
  const json = { 'Content-Type': 'application/json', Host: host };
  return { api, server, host, json, auth: { ...json, Authorization: `Bearer ${server.token}` } };
}

test('browser mode binds to loopback only and refuses calls without the token, from other origins or hosts', async () => {
  const { server, host, json, auth } = await setup();
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const body = JSON.stringify({ method: 'app/info', args: {} });
    const ok = await raw(server.port, { method: 'POST', path: '/api/call', headers: auth, body });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).value.mode, 'browser');
    assert.equal((await raw(server.port, { method: 'POST', path: '/api/call', headers: json, body })).status, 401);
    assert.equal((await raw(server.port, { method: 'POST', path: '/api/call', headers: { ...json, Authorization: 'Bearer wrong' }, body })).status, 401);
    assert.equal((await raw(server.port, { method: 'POST', path: '/api/call', headers: { ...auth, Origin: 'http://evil.example' }, body })).status, 403);
    assert.equal(
      (await raw(server.port, { method: 'POST', path: '/api/call', headers: { ...auth, Host: 'evil.example' }, body })).status,
      421,
      'DNS rebinding: a foreign Host is refused',
    );
    assert.equal((await raw(server.port, { method: 'POST', path: '/api/call', headers: { ...auth, Origin: `http://${host}` }, body })).status, 200);
    assert.equal((await raw(server.port, { method: 'POST', path: '/api/call', headers: { ...auth, 'Content-Type': 'text/plain' }, body })).status, 415);
    const badJson = await raw(server.port, { method: 'POST', path: '/api/call', headers: auth, body: '{nope' });
    assert.equal(badJson.status, 400);
    assert.match(JSON.parse(badJson.body).error.message, /request body/);
    assert.equal((await raw(server.port, { path: '/api/events', headers: { Host: host } })).status, 401);
    const index = await raw(server.port, { path: '/', headers: { Host: host } });
    assert.equal(index.status, 200);
    assert.match(String(index.headers['content-security-policy']), /default-src 'self'; script-src 'self'.*frame-ancestors 'none'/);
    const traversal = await raw(server.port, { path: '/..%2f..%2f..%2fetc%2fpasswd', headers: { Host: host } });
    assert.ok(!traversal.body.includes('root:'), 'no file outside the renderer folder is served');
  } finally {
    await server.close();
  }
});

test('events arrive over server-sent events; exports download through the server', async () => {
  const { api, server, host, auth } = await setup();
  try {
    const received: string[] = [];
    const events = request({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}`, headers: { Host: host } });
    const connected = new Promise<void>((resolve) => {
      events.on('response', (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          resolve();
        });
      });
    });
    events.end();
    await connected;
    await raw(server.port, { method: 'POST', path: '/api/call', headers: auth, body: JSON.stringify({ method: 'sessions/refresh', args: {} }) });
    for (let i = 0; i < 50 && !received.join('').includes('sessions-changed'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(received.join(''), /data: \{"type":"sessions-changed"\}/);
    events.destroy();

    const path = join(server.downloadsDir, 'x.csv');
    const url = server.offerDownload(path);
    await api.service.handle('query/run', { sql: 'SELECT 1' });
    writeFileSync(path, 'a,b\n1,2\n');
    const download = await raw(server.port, { path: url, headers: { Host: host } });
    assert.equal(download.status, 200);
    assert.equal(download.body, 'a,b\n1,2\n');
    assert.match(String(download.headers['content-disposition']), /attachment; filename="x.csv"/);
    assert.equal((await raw(server.port, { path: url.replace(/token=.*/, 'token=bad'), headers: { Host: host } })).status, 401);
  } finally {
    await server.close();
  }
});
