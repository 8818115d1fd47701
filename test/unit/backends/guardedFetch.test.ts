// guardedFetch's caps, on in-memory responses (no network, no timers): error bodies are cut while read,
// a line past the cap stops the body (linear: found as the bytes arrive), a body past its cap stops, and
// redirect messages carry no query or credentials. (Deadlines: test/faults/network.test.ts.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_NETWORK_LIMITS, NETWORK_SETTINGS, guardedFetch, endpointOf } from '../../../src/core/backends/guardedFetch';
import { DEFAULT_CONFIG, parseConfig } from '../../../src/core/config';
import { readErrorBody } from '../../../src/core/backends/common';
import { BackendError } from '../../../src/core/types';

/** A response whose body is `chunks` produced lazily; `pulled` counts the bytes the reader took. */
function lazyResponse(status: number, chunks: () => Iterator<Uint8Array>): { fetch: typeof fetch; pulled: () => number } {
  let pulled = 0;
  const f: typeof fetch = async () => {
    const it = chunks();
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        const n = it.next();
        if (n.done) c.close();
        else { pulled += n.value.length; c.enqueue(n.value); }
      },
    });
    return new Response(body, { status, headers: { 'content-type': 'text/plain' } });
  };
  return { fetch: f, pulled: () => pulled };
}

function* repeat(piece: Uint8Array, times: number): Iterator<Uint8Array> {
  for (let i = 0; i < times; i++) yield piece;
}

const MiB = 1024 * 1024;

async function readAll(res: Response): Promise<{ bytes: number; error?: unknown }> {
  const reader = res.body!.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes };
      bytes += value.length;
    }
  } catch (error) {
    return { bytes, error };
  }
}

describe('guardedFetch caps', () => {
  it('reads at most 64 KiB of a 100 MiB error body and cancels the rest', async () => {
    const src = lazyResponse(500, () => repeat(new Uint8Array(64 * 1024).fill(120), 1600));
    const g = guardedFetch(src.fetch, { provider: 'openai', label: 'OpenAI' });
    const res = await g('http://127.0.0.1:1/v1/chat/completions', { method: 'POST' });
    const text = await readErrorBody(res);
    assert.equal(text.length, 16_384, 'what the message keeps');
    assert.ok(src.pulled() <= 256 * 1024, `pulled ${src.pulled()} bytes of 100 MiB`);
  });

  it('stops a body at a line longer than maxLineBytes, as the bytes arrive', async () => {
    const src = lazyResponse(200, () => repeat(new Uint8Array(MiB).fill(97), 64)); // one 64 MiB line
    const g = guardedFetch(src.fetch, { provider: 'anthropic', label: 'Anthropic', limits: { maxLineBytes: 4 * MiB } });
    const r = await readAll(await g('http://127.0.0.1:1/v1/messages'));
    assert.ok(r.error instanceof BackendError && r.error.kind === 'tooLarge', String(r.error));
    assert.match((r.error as Error).message, /line longer than 4 MiB \(http:\/\/127\.0\.0\.1:1\/v1\/messages\)/);
    assert.ok(r.bytes <= 4 * MiB && src.pulled() <= 6 * MiB, `passed ${r.bytes}, pulled ${src.pulled()}`);
  });

  it('lets many short lines through, however large the body, up to maxBodyBytes', async () => {
    const line = new TextEncoder().encode(`data: ${'x'.repeat(1000)}\n\n`);
    const ok = await readAll(await guardedFetch(lazyResponse(200, () => repeat(line, 4000)).fetch, { provider: 'openai', label: 'OpenAI', limits: { maxLineBytes: 2048 } })('http://h/x'));
    assert.equal(ok.error, undefined);
    assert.equal(ok.bytes, line.length * 4000);
    const capped = await readAll(await guardedFetch(lazyResponse(200, () => repeat(line, 4000)).fetch, { provider: 'openai', label: 'OpenAI', limits: { maxBodyBytes: MiB } })('http://h/x'));
    assert.ok(capped.error instanceof BackendError && capped.error.kind === 'tooLarge', String(capped.error));
    assert.match((capped.error as Error).message, /more than 1 MiB in one answer/);
  });

  it('a line cap counts across chunk boundaries and \\r, \\n, \\r\\n ends', async () => {
    const enc = new TextEncoder();
    const chunks = [enc.encode('a'.repeat(600)), enc.encode('a'.repeat(600) + '\r\n' + 'b'.repeat(900)), enc.encode('\r' + 'c'.repeat(1000) + '\n')];
    const within = await readAll(await guardedFetch(lazyResponse(200, () => chunks.values()).fetch, { provider: 'ollama', label: 'Ollama', limits: { maxLineBytes: 1200 } })('http://h/api/chat'));
    assert.equal(within.error, undefined, 'lines of 1200, 900 and 1000 bytes pass a 1200 cap');
    const over = await readAll(await guardedFetch(lazyResponse(200, () => chunks.values()).fetch, { provider: 'ollama', label: 'Ollama', limits: { maxLineBytes: 1199 } })('http://h/api/chat'));
    assert.equal((over.error as BackendError).kind, 'tooLarge', 'the 1200-byte line split over two chunks breaks a 1199 cap');
  });

  it('names endpoints by origin and path only', () => {
    assert.equal(endpointOf('https://user:pw@api.example.com:8443/v1/messages?key=sk-abc#x'), 'https://api.example.com:8443/v1/messages');
  });

  it('a redirect message has the target origin only (no path, query or credentials)', async () => {
    const f: typeof fetch = async () => new Response(null, { status: 307, headers: { location: 'https://u:p@evil.example/collect?k=sk-123' } });
    await assert.rejects(guardedFetch(f, { provider: 'anthropic', label: 'Anthropic', endpointSetting: 'rightsize.anthropic.baseUrl' })('https://api.anthropic.com/v1/messages?beta=1'), (e: unknown) => {
      assert.ok(e instanceof BackendError && e.kind === 'redirect');
      assert.equal(e.message, 'Anthropic answered https://api.anthropic.com/v1/messages with a redirect (307) to https://evil.example. Rightsize does not follow redirects from model endpoints, so neither your key nor your prompt was sent there. If the service has moved, set rightsize.anthropic.baseUrl to its new address.');
      return true;
    });
  });

  it('the deadlines are settings: machine scope, defaults equal to the limits the backends use, read into the config in their units', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8'));
    const props: Record<string, { default?: number; scope?: string; minimum?: number }> = manifest.contributes.configuration.properties;
    const unit = { responseTimeoutMs: 1000, idleTimeoutMs: 1000, totalTimeoutMs: 60_000 } as const;
    for (const [limit, setting] of Object.entries(NETWORK_SETTINGS) as Array<[keyof typeof unit, string]>) {
      const p = props[setting];
      assert.ok(p, `${setting} is contributed`);
      assert.equal(p.scope, 'machine', `${setting}: a workspace cannot set it`);
      assert.equal(p.default! * unit[limit], DEFAULT_NETWORK_LIMITS[limit], `${setting}'s default`);
      assert.ok(p.minimum! > 0, `${setting} cannot be 0 (no deadline)`);
      assert.equal(DEFAULT_CONFIG.network[limit], DEFAULT_NETWORK_LIMITS[limit]);
    }
    const { config, errors } = parseConfig({ 'network.responseTimeoutSeconds': 20, 'network.idleTimeoutSeconds': 45, 'network.streamTimeoutMinutes': 90 });
    assert.deepEqual(errors, []);
    assert.deepEqual(config.network, { responseTimeoutMs: 20_000, idleTimeoutMs: 45_000, totalTimeoutMs: 90 * 60_000 });
    const bad = parseConfig({ 'network.idleTimeoutSeconds': 0 });
    assert.equal(bad.config.network.idleTimeoutMs, DEFAULT_NETWORK_LIMITS.idleTimeoutMs, 'no deadline is not an option');
    assert.match(bad.errors.join('\n'), /network\.idleTimeoutSeconds/);
  });
});
