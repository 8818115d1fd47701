// Key redaction removes more than the exact key: a server echoing it lowercased, base64-encoded (alone or
// inside an encoded header or JSON), URL-encoded, or any credential-looking token never reaches an error
// or a record's `error` field. (Before: a lowercased or base64 echo reached the ledger.)
import * as assert from 'node:assert/strict';
import { redact, redactCredentials } from '../../../src/core/backends/common';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BackendError } from '../../../src/core/types';
import { FakeOpenAI, startFakeOpenAI } from '../../fakes';
import { drain, req, spec } from './helpers';

const KEY = 'sk-Proj-CanaryKey-9f8E7d6C5b4A';

describe('redaction of keys and credentials', () => {
  const echoes = [
    KEY.toLowerCase(),
    KEY.toUpperCase(),
    Buffer.from(KEY).toString('base64'),
    Buffer.from(KEY).toString('base64url'),
    Buffer.from(`{"authorization":"${KEY}"}`).toString('base64'),
    Buffer.from(`x:${KEY}`).toString('base64'),
    Buffer.from(`ab${KEY}`).toString('base64'),
    encodeURIComponent(KEY),
    Buffer.from(KEY).toString('hex'),
  ];

  it('removes every form of the configured key', () => {
    for (const echo of echoes) {
      const out = redact(`upstream said: ${echo} is not allowed`, [KEY]);
      assert.ok(!out.includes(echo), `${echo} survived: ${out}`);
      assert.match(out, /^upstream said: .*is not allowed$/);
    }
    assert.equal(redact('context length exceeded: 130000 > 128000', [KEY]), 'context length exceeded: 130000 > 128000');
  });

  it('removes credential-looking tokens without knowing them', () => {
    const text = 'tokens: ghp_abcdefghijklmnopqrstuvwxyz0123, AIzaSyA1234567890abcdefghijklmnopqrstu, AKIAABCDEFGHIJKLMNOP, xoxb-1234567890-abc, eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig, api_key=s3cr3tvalue1, "password": "hunter2hunter2"';
    const out = redactCredentials(text);
    for (const t of ['ghp_abc', 'AIzaSy', 'AKIAAB', 'xoxb-12', 'eyJhbGci', 's3cr3t', 'hunter2']) assert.ok(!out.includes(t), `${t} survived: ${out}`);
  });

  describe('end to end: a server that echoes the key in its error', () => {
    let openai: FakeOpenAI;
    before(async () => { openai = await startFakeOpenAI({ apiKey: KEY }); });
    after(async () => { await openai.close(); });

    for (const echo of echoes) {
      it(`a 400 echoing ${echo.slice(0, 16)}… gives an error without it`, async () => {
        openai.script({ status: 400, error: `invalid request for key ${echo}; see docs` });
        const d = await drain(new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => KEY }).stream(spec('gpt-4o-mini', 'openai'), req([{ role: 'user', content: 'hi' }]), new AbortController().signal));
        assert.ok(d.error instanceof BackendError, String(d.error));
        assert.ok(!d.error.message.includes(echo), d.error.message);
        assert.match(d.error.message, /invalid request for key \S*\[redacted\]\S*; see docs/);
      });
    }
  });
});
