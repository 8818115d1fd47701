// One bad usage number never reaches a record: every backend checks what the server reported (non-negative
// safe integers, sane maxima); an unusable value is estimated, the usage marked `estimated`, and a warning
// says which field held what. Then the whole way: the pipeline writes the record, the ledger accepts it,
// the budget gate counts real money for it, and the requests after it are written too.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnthropicBackend } from '../../../src/core/backends/anthropicBackend';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { Catalog } from '../../../src/core/catalog/catalog';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import { Ledger, recordProblem } from '../../../src/core/ledger';
import { Pipeline } from '../../../src/core/pipeline';
import { BackendUsage } from '../../../src/core/types';
import { RecordSink } from '../../../src/vscode/recordSink';
import { FakeAnthropic, FakeOllama, FakeOpenAI, startFakeAnthropic, startFakeOllama, startFakeOpenAI } from '../../fakes';
import { drain, req, spec } from './helpers';

function assertSane(u: BackendUsage | undefined, where: string): BackendUsage {
  assert.ok(u, `${where}: a usage part`);
  for (const [k, v] of Object.entries(u.tokens)) {
    assert.ok(Number.isSafeInteger(v) && v >= 0, `${where}: tokens.${k} = ${v}`);
  }
  assert.ok(u.tokens.cachedInput <= u.tokens.input && u.tokens.reasoning <= u.tokens.output, `${where}: relations hold`);
  return u;
}

describe('backends validate reported usage at the boundary', () => {
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  let anthropic: FakeAnthropic;
  before(async () => { [ollama, openai, anthropic] = await Promise.all([startFakeOllama(), startFakeOpenAI(), startFakeAnthropic()]); });
  after(async () => { await Promise.all([ollama.close(), openai.close(), anthropic.close()]); });

  const gpt = spec('gpt-4o-mini', 'openai');
  const claude = spec('claude-haiku-4-5', 'anthropic');
  const qwen = spec('qwen2.5-coder:7b', 'ollama');
  const ask = () => req([{ role: 'user', content: 'Explain this function in two sentences, please.' }]);

  const poisons: Array<{ name: string; run: () => Promise<BackendUsage | undefined>; fields: string[] }> = [
    {
      name: 'OpenAI prompt_tokens "abc", completion_tokens 1e308',
      fields: ['prompt_tokens was "abc"', 'completion_tokens was 1e+308'],
      run: async () => {
        openai.script({ text: 'It adds numbers.', usage: { prompt_tokens: 'abc', completion_tokens: 1e308 } });
        return (await drain(new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => 'sk-test-openai-0000' }).stream(gpt, ask(), new AbortController().signal))).usage;
      },
    },
    {
      name: 'OpenAI cached_tokens above prompt_tokens, reasoning -3',
      fields: ['completion_tokens_details.reasoning_tokens was -3', 'cached input (900) exceeds input'],
      run: async () => {
        openai.script({ text: 'It adds numbers.', usage: { prompt_tokens: 20, prompt_tokens_details: { cached_tokens: 900 }, completion_tokens_details: { reasoning_tokens: -3 } } });
        return (await drain(new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => 'sk-test-openai-0000' }).stream(gpt, ask(), new AbortController().signal))).usage;
      },
    },
    {
      name: 'Anthropic input_tokens 1e308, output_tokens -5',
      fields: ['input_tokens was 1e+308', 'output_tokens was -5'],
      run: async () => {
        anthropic.script({ text: 'It adds numbers.', usage: { input_tokens: 1e308, output_tokens: -5 } });
        return (await drain(new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => 'sk-ant-test-0000' }).stream(claude, ask(), new AbortController().signal))).usage;
      },
    },
    {
      name: 'Anthropic output_tokens "many" (a string)',
      fields: ['output_tokens was "many"'],
      run: async () => {
        anthropic.script({ text: 'It adds numbers.', usage: { output_tokens: 'many' } });
        return (await drain(new AnthropicBackend({ baseUrl: anthropic.url, apiKey: async () => 'sk-ant-test-0000' }).stream(claude, ask(), new AbortController().signal))).usage;
      },
    },
    {
      name: 'Ollama eval_count "three", prompt_eval_count 2.5',
      fields: ['eval_count was "three"', 'prompt_eval_count was 2.5'],
      run: async () => {
        ollama.script({ text: 'It adds numbers.', usage: { eval_count: 'three', prompt_eval_count: 2.5 } });
        return (await drain(new OllamaBackend({ host: ollama.url }).stream(qwen, ask(), new AbortController().signal))).usage;
      },
    },
  ];

  for (const p of poisons) {
    it(`${p.name}: estimated, marked, and warned about`, async () => {
      const u = assertSane(await p.run(), p.name);
      assert.equal(u.source, 'estimated');
      assert.ok(u.tokens.output > 0, 'the output estimate comes from the text that arrived');
      const warning = (u.warnings ?? []).join(' ');
      for (const f of p.fields) assert.ok(warning.includes(f), `the warning names ${f}: ${warning}`);
    });
  }

  it('Ollama: unusable durations are dropped (energy then uses the measured time), counts stay reported', async () => {
    ollama.script({ text: 'It adds numbers.', usage: { eval_duration: -1, load_duration: 'soon' } });
    const u = assertSane((await drain(new OllamaBackend({ host: ollama.url }).stream(qwen, ask(), new AbortController().signal))).usage, 'ollama timings');
    assert.equal(u.ollama, undefined);
    assert.equal(u.source, 'reported');
    assert.match((u.warnings ?? []).join(' '), /eval_duration was -1.*load_duration was "soon"/);
  });

  it('healthy usage stays reported, with no warning', async () => {
    openai.script({ text: 'Fine.', promptTokens: 40, outputTokens: 3 });
    const u = assertSane((await drain(new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => 'sk-test-openai-0000' }).stream(gpt, ask(), new AbortController().signal))).usage, 'healthy');
    assert.equal(u.source, 'reported');
    assert.deepEqual([u.tokens.input, u.tokens.output], [40, 3]);
    assert.equal(u.warnings, undefined);
  });

  it('through the pipeline: the poisoned request and the three after it all reach the ledger; the gate counts real money for it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-poison-'));
    try {
      const ledger = new Ledger(dir);
      const errors: string[] = [];
      const queue = new RecordSink(() => ledger, (m: string) => errors.push(m));
      const model = Catalog.builtIn().get('gpt-5-mini')!;
      const gate = new BudgetGate({ limits: { day: { usd: 100 } }, warnAt: 0.8, action: 'block' });
      const logs: string[] = [];
      const pipeline = new Pipeline({
        candidates: async () => [model],
        backendFor: () => new OpenAICompatibleBackend({ baseUrl: `${openai.url}/v1`, apiKey: async () => 'sk-test-openai-0000' }),
        countInputTokens: () => 30,
        gate,
        append: (r) => queue.append(r),
        settings: () => ({ mode: 'suggest', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '' }),
        log: (l) => logs.push(l),
      });
      openai.models.push('gpt-5-mini');
      openai.script({ text: 'Poisoned.', usage: { prompt_tokens: 'abc', completion_tokens: 1e308 } }, { text: 'One.' }, { text: 'Two.' }, { text: 'Three.' });
      for (let i = 0; i < 4; i++) {
        for await (const _e of pipeline.run(req([{ role: 'user', content: `Explain step ${i}.` }]), { kind: 'model', modelId: 'gpt-5-mini' }, new AbortController().signal)) { /* drain */ }
      }
      const lines = fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('usage-'))!), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, 4, 'all four records on disk');
      assert.equal(queue.pendingCount, 0);
      assert.deepEqual(errors, []);
      for (const r of lines) assert.equal(recordProblem(r), undefined);
      assert.equal(lines[0].tokens.source, 'estimated');
      assert.ok(lines[0].cost.usd > 0 && Number.isFinite(lines[0].cost.usd), `cost ${lines[0].cost.usd}`);
      const used = gate.lines().find((l) => l.unit === 'usd')!.used;
      const written = lines.reduce((n, r) => n + r.cost.usd, 0);
      assert.ok(Math.abs(used - written) < 1e-12, `the gate counts what the ledger holds (${used} vs ${written})`);
      assert.ok(logs.some((l) => l.includes('prompt_tokens was "abc"')), `the log says why: ${logs.join(' | ')}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
