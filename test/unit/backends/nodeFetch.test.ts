// nodeFetch (the backends' default fetch, on node:http) against real loopback servers: what the backends rely on
// from fetch — status, headers and a streamed body; a redirect returned, not followed; a refused connection
// read by isConnectionError/networkCode as undici's is; an abort mid-body errors the body and closes the
// connection; gzip decoded; the body read only as fast as the reader asks (backpressure); the same
// keep-alive connection reused.
import * as assert from 'node:assert/strict';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as zlib from 'zlib';
import { nodeFetch } from '../../../src/core/backends/nodeFetch';
import { isConnectionError, networkCode } from '../../../src/core/backends/common';

function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve({ url, server, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) });
  }));
}

async function text(res: Response): Promise<string> {
  const reader = res.body!.getReader();
  const parts: Buffer[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(parts).toString('utf8');
    parts.push(Buffer.from(value));
  }
}

describe('backends/nodeFetch', () => {
  it('sends method, headers and body; gives status, headers and the streamed body', async () => {
    let seen: { method?: string; auth?: string; type?: string; body: string } = { body: '' };
    const s = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], body };
        res.writeHead(201, { 'content-type': 'text/event-stream', 'x-thing': 'a' });
        res.write('data: one\n\n');
        setTimeout(() => { res.write('data: two\n\n'); res.end(); }, 20);
      });
    });
    try {
      const res = await nodeFetch(`${s.url}/v1/chat?x=1`, { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: '{"a":1}', redirect: 'manual' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-thing'), 'a');
      assert.equal(await text(res), 'data: one\n\ndata: two\n\n');
      assert.deepEqual(seen, { method: 'POST', auth: 'Bearer k', type: 'application/json', body: '{"a":1}' });
    } finally { await s.close(); }
  });

  it('returns a redirect as it is (manual), without going there', async () => {
    let followed = false;
    const s = await serve((req, res) => {
      if (req.url === '/elsewhere') { followed = true; res.end('no'); return; }
      res.writeHead(307, { location: '/elsewhere' });
      res.end();
    });
    try {
      const res = await nodeFetch(`${s.url}/v1`, { method: 'POST', body: 'secret prompt', redirect: 'manual' });
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), '/elsewhere');
      await res.body?.cancel();
      assert.equal(followed, false);
    } finally { await s.close(); }
  });

  it('a refused connection is a connection error with its code, as with undici', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    const e = await nodeFetch(`${url}/x`, { method: 'POST', body: '{}', redirect: 'manual' }).then(() => undefined, (err: unknown) => err);
    assert.ok(e instanceof TypeError, String(e));
    assert.equal(isConnectionError(e), true);
    assert.equal(networkCode(e), 'ECONNREFUSED');
  });

  it('an abort mid-body errors the body with the reason and closes the connection', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      res.on('close', () => closed());
    });
    try {
      const ac = new AbortController();
      const res = await nodeFetch(`${s.url}/x`, { method: 'POST', body: '{}', redirect: 'manual', signal: ac.signal });
      const reader = res.body!.getReader();
      assert.equal(Buffer.from((await reader.read()).value!).toString(), 'data: first\n\n');
      ac.abort();
      await assert.rejects(reader.read(), (e: unknown) => (e as Error).name === 'AbortError');
      await serverSawClose;
    } finally { await s.close(); }
  });

  it('an abort before the answer rejects with an AbortError', async () => {
    const s = await serve(() => undefined); // never answers
    try {
      const ac = new AbortController();
      const p = nodeFetch(`${s.url}/x`, { method: 'POST', body: '{}', redirect: 'manual', signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
    } finally { await s.close(); }
  });

  it('decodes a gzip body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      res.end(zlib.gzipSync(Buffer.from('{"ok":true}')));
    });
    try {
      const res = await nodeFetch(`${s.url}/x`, { method: 'GET', redirect: 'manual' });
      assert.equal(await text(res), '{"ok":true}');
    } finally { await s.close(); }
  });

  it('reads the body only as fast as the reader asks (the server is held back), and reuses the connection', async () => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    let written = 0;
    let sockets = 0;
    const s = await serve((req, res) => {
      if (req.url === '/small') { res.end('ok'); return; }
      res.writeHead(200);
      const pump = (): void => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        res.end();
      };
      pump();
    });
    s.server.on('connection', () => sockets++);
    try {
      const res = await nodeFetch(`${s.url}/big`, { method: 'GET', redirect: 'manual' });
      const reader = res.body!.getReader();
      await reader.read();
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(written < 16 * 1024 * 1024, `the server got ${written} bytes out while one chunk was read`);
      await reader.cancel();
      const a = await nodeFetch(`${s.url}/small`, { method: 'GET', redirect: 'manual' });
      assert.equal(await text(a), 'ok');
      const b = await nodeFetch(`${s.url}/small`, { method: 'GET', redirect: 'manual' });
      assert.equal(await text(b), 'ok');
      assert.ok(sockets <= 2, `${sockets} connections for three requests`);
    } finally { await s.close(); }
  });
});
