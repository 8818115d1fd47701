// Key redaction removes more than the exact key: a server echoing it lowercased, base64-encoded (alone or
// inside an encoded header or JSON), URL-encoded, or any credential-looking token never reaches an error
// or a record's `error` field. (Before: a lowercased or base64 echo reached the ledger.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnthropicBackend } from '../../../src/core/backends/anthropicBackend';
import { redact, redactCredentials } from '../../../src/core/backends/common';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { Catalog } from '../../../src/core/catalog/catalog';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import { Ledger, RecordQueue } from '../../../src/core/ledger';
import { Pipeline } from '../../../src/core/pipeline';
import { Backend, BackendError } from '../../../src/core/types';
import { FakeAnthropic, FakeOpenAI, startFakeAnthropic, startFakeOpenAI } from '../../fakes';
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

  describe('through the pipeline to the ledger: a record\'s `error` never holds an echoed key', () => {
    const ANT_KEY = 'sk-ant-Canary-7Q6w5E4r3T2y1U';
    let openai: FakeOpenAI;
    let anthropic: FakeAnthropic;
    let dir: string;
    before(async () => { [openai, anthropic] = await Promise.all([startFakeOpenAI({ apiKey: KEY }), startFakeAnthropic({ apiKey: ANT_KEY })]); });
    after(async () => { await Promise.all([openai.close(), anthropic.close()]); });
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-redact-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const sides = [
      { name: 'OpenAI', model: 'gpt-5-mini', key: KEY, script: (e: string) => openai.script({ status: 400, error: e }), backend: (): Backend => new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => KEY }) },
      { name: 'Anthropic', model: 'claude-haiku-4-5', key: ANT_KEY, script: (e: string) => anthropic.script({ status: 400, error: e }), backend: (): Backend => new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => ANT_KEY }) },
    ];
    for (const side of sides) {
      it(`${side.name}: lowercased, base64 and hex echoes of the key are not in the ledger file`, async () => {
        const forms = [side.key.toLowerCase(), Buffer.from(side.key).toString('base64'), Buffer.from(`key=${side.key}`).toString('base64'), Buffer.from(side.key).toString('hex')];
        const ledger = new Ledger(dir);
        const queue = new RecordQueue(() => ledger, (m) => assert.fail(m));
        const model = Catalog.builtIn().get(side.model)!;
        const pipeline = new Pipeline({
          candidates: async () => [model],
          backendFor: () => side.backend(),
          countInputTokens: () => 40,
          gate: new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn' }),
          append: (r) => queue.append(r),
          settings: () => ({ mode: 'suggest', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '' }),
        });
        for (const [i, form] of forms.entries()) {
          side.script(`the key ${form} has no access to this model`);
          await assert.rejects(async () => {
            for await (const e of pipeline.run({ id: `r${i}`, messages: [{ role: 'user', content: 'hi' }], surface: 'chat', workspace: { id: 'ws', name: 'W' }, session: 's' }, { kind: 'model', modelId: side.model }, new AbortController().signal)) void e;
          });
        }
        const raw = fs.readdirSync(dir).filter((n) => n.startsWith('usage-')).map((n) => fs.readFileSync(path.join(dir, n), 'utf8')).join('');
        const records = raw.trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; error?: string });
        assert.equal(records.length, forms.length, 'every failed request is recorded');
        for (const r of records) {
          assert.equal(r.outcome, 'error');
          assert.match(r.error ?? '', /the key \S*\[redacted\]\S* has no access/, r.error);
        }
        for (const form of [side.key, ...forms]) assert.ok(!raw.includes(form), `${form} reached the ledger`);
      });
    }
  });
});
