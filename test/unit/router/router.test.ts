import * as assert from 'node:assert/strict';
import { decide, NoCapableModelError, RouteOptions } from '../../../src/core/router/router';
import { requiredCapability } from '../../../src/core/router/requirements';
import { BASE_CAPABILITY, EXPECTED_OUTPUT_TOKENS } from '../../../src/core/router/requirements';
import { SIGNAL_RAISE } from '../../../src/core/router/difficulty';
import type { Estimate, ModelSpec, Objective, TokenCounts } from '../../../src/core/types';
import { agentRequest, CLOUD, fixtureEstimate, LOCAL, M, MIXED, NODE_TRACE, pastedModule, req, TOOLS } from './fixtures';

function opts(candidates: ModelSpec[], o: Partial<RouteOptions> = {}): RouteOptions {
  return {
    candidates,
    objective: 'balanced',
    localOnly: false,
    budget: { preferLocal: false, blockCloud: false },
    estimate: fixtureEstimate,
    // By the numbers alone unless a test says otherwise (the default prefers local up to 3×).
    localPreference: 1,
    ...o,
  };
}

const byId = (id: string): ModelSpec => Object.values(M).find((m) => m.id === id)!;

describe('router/requiredCapability', () => {
  it('is the task base plus the raises of the signals seen', () => {
    const rename = requiredCapability(req('Rename `usr` to `user`'), 400);
    assert.equal(rename.task, 'refactor');
    assert.equal(rename.required, BASE_CAPABILITY.rename);
    assert.equal(rename.expectedOutputTokens, EXPECTED_OUTPUT_TOKENS.rename);

    const race = requiredCapability(req(`Fix this race condition in the job queue:\n${NODE_TRACE}`), 2000);
    assert.equal(race.task, 'fix');
    assert.equal(race.required, BASE_CAPABILITY.fix + SIGNAL_RAISE.concurrency + SIGNAL_RAISE.stackTrace);
    assert.ok(race.signals.includes(`concurrency+${SIGNAL_RAISE.concurrency}`), race.signals.join(' '));
    assert.ok(race.signals.includes(`stackTrace+${SIGNAL_RAISE.stackTrace}`));

    const big = requiredCapability(req(`Explain this module\n${pastedModule(70_000)}`), 70_000);
    assert.equal(big.required, BASE_CAPABILITY.explain + SIGNAL_RAISE.veryLargeContext);
    assert.ok(big.signals.includes(`largeContext:70000+${SIGNAL_RAISE.veryLargeContext}`));
  });

  it('clamps to 100 and caps expected output by the request', () => {
    const r = requiredCapability(
      req('Design the auth architecture across these 8 files; think carefully about race conditions and performance', { maxOutputTokens: 256 }),
      90_000,
    );
    assert.equal(r.task, 'design');
    assert.equal(r.required, 100);
    assert.equal(r.expectedOutputTokens, 256);
  });

  it('gives completions only the context signal, whatever their code says', () => {
    const r = requiredCapability(req(`const lock = new Mutex(); // race condition, auth, crypto\n${pastedModule(20_000)}`, { suffix: '\n' }), 20_000);
    assert.equal(r.task, 'completion');
    assert.equal(r.required, BASE_CAPABILITY.completion + SIGNAL_RAISE.largeContext);
  });

  it('raises agentic requests for long histories', () => {
    const r = requiredCapability(agentRequest('Add pagination to the users endpoint', 20), 30_000);
    assert.equal(r.task, 'agentic');
    // The loop's context is large by nature: counted once, through the history.
    assert.equal(r.required, BASE_CAPABILITY.agentic + SIGNAL_RAISE.veryLongHistory);
  });
});

describe('router/decide', () => {
  it('routes a rename to the smallest capable local model, with a one-line reason against the reference', () => {
    for (const objective of ['energy', 'money', 'balanced'] as Objective[]) {
      const d = decide(req('Rename `usr` to `user` in this function'), 450, opts(MIXED, { objective }));
      assert.equal(d.model, 'qwen2.5-coder:1.5b', objective);
      assert.equal(d.location, 'local');
      assert.equal(d.task, 'refactor');
      assert.equal(d.requiredCapability, BASE_CAPABILITY.rename);
      assert.equal(d.referenceModel, 'gpt-5');
      assert.equal(d.reference?.model, 'gpt-5');
      assert.ok(!d.reason.includes('\n'));
      assert.match(d.reason, /^Rename in one file: qwen2\.5-coder:1\.5b \(local\) is capable enough \(score 3\.2 ≥ 2\) and /);
      assert.ok(d.reason.endsWith(' on gpt-5'), d.reason);
      if (objective === 'energy') assert.match(d.reason, /uses [\d.]+ Wh vs [\d.]+ Wh on gpt-5$/);
      if (objective === 'money') assert.match(d.reason, /costs (?:< )?\$[\d.]+ vs \$[\d.]+ on gpt-5$/);
    }
  });

  it('keeps only candidates that meet the required capability, and picks the cheapest of them by the objective', () => {
    const request = req('Write a unit test for parseDate covering leap years');
    for (const objective of ['energy', 'money'] as Objective[]) {
      const d = decide(request, 800, opts(MIXED, { objective }));
      const metric = (e: Estimate) => (objective === 'energy' ? e.energy.wh : e.cost.usd);
      const capable = MIXED.filter((m) => m.capability.score >= d.requiredCapability);
      const figures = capable.map((m) => metric(fixtureEstimate(m, { input: 800, cachedInput: 0, output: EXPECTED_OUTPUT_TOKENS.test, reasoning: 0 })));
      const min = Math.min(...figures);
      assert.ok(byId(d.model).capability.score >= d.requiredCapability);
      if (objective === 'money') assert.equal(metric(d.estimate), min);
      else assert.ok(metric(d.estimate) <= min || d.estimate.energy.low <= min, `${objective}: ${d.model} ${metric(d.estimate)} vs min ${min}`);
      // Alternatives: the other capable candidates, cheapest first.
      assert.deepEqual(d.alternatives.map((e) => e.model).sort(), capable.map((m) => m.id).filter((id) => id !== d.model).sort());
      for (let i = 1; i < d.alternatives.length; i++) assert.ok(metric(d.alternatives[i - 1]) <= metric(d.alternatives[i]));
    }
  });

  it('energy and money disagree where the estimates do: a 14B local model vs a small cloud model', () => {
    const fix = req('Fix the off-by-one error in this pagination code');
    const candidates = [M.q14, M.gpt5mini, M.gpt5];
    const e = decide(fix, 1500, opts(candidates, { objective: 'energy' }));
    const m = decide(fix, 1500, opts(candidates, { objective: 'money' }));
    const tokens: TokenCounts = { input: 1500, cachedInput: 0, output: EXPECTED_OUTPUT_TOKENS.fix, reasoning: 0 };
    const q14 = fixtureEstimate(M.q14, tokens), mini = fixtureEstimate(M.gpt5mini, tokens);
    assert.ok(q14.energy.wh > mini.energy.high && q14.cost.usd < mini.cost.usd, 'fixture premise');
    assert.equal(e.model, 'gpt-5-mini');
    assert.equal(m.model, 'qwen2.5-coder:14b');
    // Runner-up: the next by energy, with its own reason.
    const second = [...candidates].sort((a, b) => fixtureEstimate(a, tokens).energy.wh - fixtureEstimate(b, tokens).energy.wh)[1];
    assert.equal(e.runnerUp?.model, second.id);
    assert.match(e.runnerUp!.reason, new RegExp(`^${second.id} \\(${second.location}\\): also capable \\(score ${second.capability.score} ≥ 10\\) but uses [\\d.]+ Wh \\([\\d.]+× the energy\\)$`));
    assert.equal(m.runnerUp?.model, 'gpt-5-mini');
    assert.match(m.runnerUp!.reason, /^gpt-5-mini \(cloud\): also capable \(score 71 ≥ 10\) but costs \$[\d.]+ \([\d.]+× the price\)$/);
  });

  it('balanced: sums Wh and USD, each as a fraction of the reference model\'s', () => {
    const fix = req('Fix the off-by-one error in this pagination code');
    const candidates = [M.q14, M.gpt5mini, M.gpt5];
    const d = decide(fix, 1500, opts(candidates, { objective: 'balanced' }));
    const tokens: TokenCounts = { input: 1500, cachedInput: 0, output: EXPECTED_OUTPUT_TOKENS.fix, reasoning: 0 };
    const ref = fixtureEstimate(M.gpt5, tokens);
    const score = (m: ModelSpec) => { const e = fixtureEstimate(m, tokens); return e.energy.wh / ref.energy.wh + e.cost.usd / ref.cost.usd; };
    const best = [...candidates].sort((a, b) => score(a) - score(b))[0];
    assert.equal(d.model, best.id);
    assert.match(d.reason, / uses [\d.]+ Wh and \$[\d.e-]+ vs [\d.]+ Wh and \$[\d.]+ on gpt-5$/);
  });

  it('energy near ties (each central value inside the other\'s range) go to the cheaper in money', () => {
    const a = { ...M.gpt4omini, id: 'cloud-small' };
    const b = { ...M.q3, id: 'local-small' };
    const table: Record<string, { wh: number; low: number; high: number; usd: number }> = {
      'cloud-small': { wh: 0.086, low: 0.024, high: 0.18, usd: 0.0007 },
      'local-small': { wh: 0.11, low: 0.015, high: 0.4, usd: 0.00002 },
    };
    const est = (m: ModelSpec, t: TokenCounts): Estimate => {
      const f = table[m.id];
      return { model: m.id, tokens: t, energy: { wh: f.wh, low: f.low, high: f.high, method: 't' }, cost: { usd: f.usd, method: 't' }, carbon: { g: 0, gPerKwh: 0 } };
    };
    const r = req('Rename foo to bar');
    let d = decide(r, 300, opts([a, b], { objective: 'energy', estimate: est }));
    assert.equal(d.model, 'local-small');
    assert.equal(d.runnerUp?.reason, 'cloud-small (cloud): also capable (score 3.6 ≥ 2) but uses 0.086 Wh (0.024 Wh–0.18 Wh, which estimates cannot tell apart from 0.11 Wh) and costs $0.0007 (35× the price)');
    // Outside the cheapest's range: energy decides.
    table['local-small'] = { wh: 0.2, low: 0.05, high: 0.6, usd: 0.00002 };
    d = decide(r, 300, opts([a, b], { objective: 'energy', estimate: est }));
    assert.equal(d.model, 'cloud-small');
    assert.match(d.runnerUp!.reason, /but uses 0\.2 Wh \(2\.3× the energy\)$/);
    // Inside the range but with a range that does not reach the cheapest's centre: energy decides.
    table['local-small'] = { wh: 0.15, low: 0.1, high: 0.2, usd: 0.00002 };
    assert.equal(decide(r, 300, opts([a, b], { objective: 'energy', estimate: est })).model, 'cloud-small');
    // Degenerate ranges (low = high): no band.
    table['cloud-small'] = { wh: 0.1, low: 0.1, high: 0.1, usd: 0.001 };
    table['local-small'] = { wh: 0.101, low: 0.101, high: 0.101, usd: 0.00002 };
    assert.equal(decide(r, 300, opts([a, b], { objective: 'energy', estimate: est })).model, 'cloud-small');
    // Money has no band; exact price ties go to the lower energy.
    table['cloud-small'] = { wh: 0.05, low: 0.01, high: 0.2, usd: 0.00011 };
    table['local-small'] = { wh: 0.2, low: 0.01, high: 0.4, usd: 0.0001 };
    assert.equal(decide(r, 300, opts([a, b], { objective: 'money', estimate: est })).model, 'local-small');
    table['local-small'].usd = 0.00011;
    d = decide(r, 300, opts([a, b], { objective: 'money', estimate: est }));
    assert.equal(d.model, 'cloud-small');
    assert.equal(d.runnerUp?.reason, 'local-small (local): also capable (score 5.6 ≥ 2) but costs the same ($0.00011) and uses 0.2 Wh (4.0× the energy)');
  });

  it('sends a multi-file design question to a frontier model', () => {
    const d = decide(req('Design a plugin architecture across these 6 files so third parties can add exporters'), 9000, opts(MIXED));
    assert.equal(d.task, 'design');
    assert.equal(d.requiredCapability, BASE_CAPABILITY.design + SIGNAL_RAISE.manyFilesMany);
    assert.ok(['gpt-5', 'claude-opus-4-5'].includes(d.model), d.model);
    assert.equal(d.location, 'cloud');
    assert.match(d.reason, /^Design question over 6 files: /);
  });

  it('never puts a request in a window it does not fit (input + expected output + 10% margin)', () => {
    const r = req('Explain how this module works');
    const d = decide(r, 60_000, opts([M.q7, M.q3c30, M.gpt5]));
    assert.equal(d.model, 'qwen3-coder:30b');
    // 29,000 input + 600 output needs 29.6k; a 32k window has 29,491 usable: does not fit.
    const tight = decide(r, 29_000, opts([M.q14, M.gpt5], { objective: 'money' }));
    assert.equal(tight.model, 'gpt-5');
    assert.deepEqual(tight.runnerUp, { model: 'qwen2.5-coder:14b', reason: 'qwen2.5-coder:14b (local): needs 29.6k tokens of context, window 32.8k (29.5k usable)' });
    const fits = decide(r, 28_800, opts([M.q14, M.gpt5], { objective: 'money' }));
    assert.equal(fits.model, 'qwen2.5-coder:14b');
  });

  it('requires tool support when the request offers tools', () => {
    const r = req('Complete the implementation of parseArgs', { tools: TOOLS });
    const d = decide(r, 1000, opts([M.codellama, M.q7, M.gpt5], { objective: 'money' }));
    assert.equal(d.model, 'qwen2.5-coder:7b');
    assert.throws(() => decide(r, 1000, opts([M.codellama])), (e: unknown) => {
      assert.ok(e instanceof NoCapableModelError);
      assert.equal(e.name, 'NoCapableModelError');
      assert.equal(e.message, 'No model can take this request (Code generation; needs about 1.8k tokens of context, tool support). codellama:7b: no tool support (the request offers 4 tools).');
      assert.deepEqual(e.failures.map((f) => f.filter), ['tools']);
      return true;
    });
  });

  it('local-only: never a cloud model nor a remote Ollama model; falls back to the most capable local one and says so', () => {
    const design = req('How should I structure the plugin system? What are the trade-offs?');
    const d = decide(design, 3000, opts([...LOCAL, M.q3c30, M.remoteGptOss, ...CLOUD], { localOnly: true }));
    assert.equal(d.location, 'local');
    assert.equal(d.model, 'qwen3-coder:30b');
    assert.equal(d.capabilityShortfall, true);
    assert.match(d.reason, /^Design question needs score 70, which no allowed model reaches: qwen3-coder:30b \(local\) is the most capable that fits \(score 51\.6\) and /);
    // The runner-up explains why the stronger models were not used.
    assert.equal(d.runnerUp?.model, 'gpt-5');
    assert.equal(d.runnerUp?.reason, 'gpt-5 (cloud): cloud model; the workspace is local-only');
    const withRemote = decide(req('Rename a to b'), 100, opts([M.remoteGptOss, M.q15], { localOnly: true }));
    assert.equal(withRemote.model, 'qwen2.5-coder:1.5b');
  });

  it('budget blockCloud: local only, and a clear error when no local model fits', () => {
    const ok = decide(req('Add a docstring to parseDate'), 500, opts(MIXED, { budget: { preferLocal: false, blockCloud: true }, objective: 'energy' }));
    assert.equal(ok.location, 'local');
    assert.throws(
      () => decide(req(`Explain how this module works\n${pastedModule(60_000)}`), 60_000, opts(MIXED, { budget: { preferLocal: false, blockCloud: true } })),
      (e: unknown) => {
        assert.ok(e instanceof NoCapableModelError);
        assert.match(e.message, /^The budget blocks cloud models and no local model can take this request \(Explanation \(large context\); needs about 60.6k tokens of context\)\. /);
        assert.match(e.message, /qwen2\.5-coder:7b: needs 60.6k tokens of context, window 32.8k \(29.5k usable\)/);
        assert.match(e.message, /gpt-5: cloud model; the budget blocks cloud requests/);
        assert.equal(e.failures.length, MIXED.length);
        return true;
      },
    );
  });

  it('budget preferLocal: local when one fits, else cloud with localUnavailable and a reason that says so', () => {
    const budget = { preferLocal: true, blockCloud: false };
    const hard = req('Review this login handler for SQL injection');
    const local = decide(hard, 2000, opts(MIXED, { budget }));
    assert.equal(local.location, 'local');
    assert.equal(local.localUnavailable, false);
    assert.equal(local.capabilityShortfall, true, 'security review needs more than the local models have');
    const big = decide(req('Explain how this module works'), 60_000, opts(MIXED, { budget }));
    assert.equal(big.location, 'cloud');
    assert.equal(big.localUnavailable, true);
    assert.match(big.reason, /; cloud because no local model fits, though the budget prefers local$/);
  });

  it('skips excluded models (a backend that failed in this request)', () => {
    const r = req('Rename `usr` to `user`');
    const d = decide(r, 300, opts(MIXED, { exclude: new Set(['qwen2.5-coder:1.5b']), objective: 'money' }));
    assert.notEqual(d.model, 'qwen2.5-coder:1.5b');
    assert.equal(d.model, 'qwen2.5-coder:7b');
  });

  it('uses an explicit reference model for the counterfactual', () => {
    const d = decide(req('Rename `usr` to `user`'), 300, opts(MIXED, { reference: M.sonnet, objective: 'energy' }));
    assert.equal(d.reference?.model, 'claude-sonnet-4-5');
    assert.match(d.reason, / on claude-sonnet-4-5$/);
  });

  it('is deterministic: same inputs, same decision, whatever the candidates\' order', () => {
    const r = req('Write a unit test for parseDate');
    const a = decide(r, 800, opts(MIXED));
    const b = decide(r, 800, opts([...MIXED].reverse()));
    assert.deepEqual(b, a);
  });

  it('breaks exact ties by smaller active parameters, then id', () => {
    const flat = (m: ModelSpec, t: TokenCounts): Estimate => ({ model: m.id, tokens: t, energy: { wh: 0.1, low: 0.05, high: 0.2, method: 't' }, cost: { usd: 0.001, method: 't' }, carbon: { g: 0, gPerKwh: 0 } });
    const x = { ...M.q7, id: 'b-model' }, y = { ...M.q7, id: 'a-model' }, small = { ...M.q7, id: 'z-small', params: { totalB: { min: 3, max: 3 }, activeB: { min: 3, max: 3 } } };
    assert.equal(decide(req('Rename a to b'), 100, opts([x, y, small], { estimate: flat })).model, 'z-small');
    const d = decide(req('Rename a to b'), 100, opts([x, y], { estimate: flat }));
    assert.equal(d.model, 'a-model');
    assert.equal(d.runnerUp?.reason, 'b-model (local): also capable (score 9.5 ≥ 2) but costs the same; ties go to the smaller model, then by name');
  });

  it('caps output by the request and by each model, and estimates only models it can choose plus the reference', () => {
    const calls: string[] = [];
    const counting = (m: ModelSpec, t: TokenCounts) => { calls.push(`${m.id}:${t.output}`); return fixtureEstimate(m, t); };
    const tiny = { ...M.q7, id: 'tiny-out', maxOutputTokens: 200 };
    decide(req('Write a unit test for parseDate'), 800, opts([tiny, M.codellama, M.gpt5], { estimate: counting, objective: 'money' }));
    // codellama (score 0.5) fits the window but is too weak to be chosen: not estimated; the reference (gpt-5) once.
    assert.deepEqual(calls.sort(), ['gpt-5:900', 'tiny-out:200']);
    calls.length = 0;
    // When no candidate is capable enough, the weaker ones are estimated (the most capable of them is chosen).
    decide(req('Write a unit test for parseDate'), 800, opts([M.codellama], { estimate: counting, objective: 'money' }));
    assert.deepEqual(calls, ['codellama:7b:900']);
    calls.length = 0;
    decide(req('Write a unit test for parseDate', { maxOutputTokens: 120 }), 800, opts([M.q7, M.gpt5], { estimate: counting, exclude: new Set(['gpt-5']) }));
    assert.deepEqual(calls.sort(), ['gpt-5:120', 'qwen2.5-coder:7b:120']);
  });

  it('balanced works when the reference costs nothing (a local reference)', () => {
    const d = decide(req('Explain this function'), 500, opts([M.q3, M.q7, M.q14], { objective: 'balanced' }));
    assert.equal(d.reference?.model, 'qwen2.5-coder:14b');
    assert.ok(Number.isFinite(d.estimate.energy.wh));
    assert.equal(d.model, 'qwen2.5-coder:3b');
  });

  it('sends a FIM completion only to an Ollama code model', () => {
    const llama = { ...M.q3, id: 'llama3.1:8b', params: { totalB: { min: 8, max: 8 }, activeB: { min: 8, max: 8 } } };
    const r = req('export function add(a: number, b: number) {\n  return ', { surface: 'inline', suffix: '\n}' });
    const d = decide(r, 200, opts([M.gpt4omini, llama, M.q7, M.remoteGptOss], { objective: 'energy' }));
    assert.equal(d.model, 'qwen2.5-coder:7b');
    assert.throws(() => decide(r, 200, opts([M.gpt4omini, llama])), (e: unknown) => {
      assert.ok(e instanceof NoCapableModelError);
      assert.deepEqual(e.failures.map((f) => `${f.model}: ${f.reason}`), [
        'gpt-4o-mini: no fill-in-the-middle completion (needs an Ollama code model)',
        'llama3.1:8b: no fill-in-the-middle completion (needs an Ollama code model)',
      ]);
      return true;
    });
    // An inline request without a suffix is plain chat: any capable model.
    assert.equal(decide(req('// add two numbers', { surface: 'inline' }), 50, opts([M.gpt4omini, llama], { objective: 'money' })).task, 'completion');
  });

  it('keeps two providers\' models with the same id apart (Copilot re-offers gpt-5)', () => {
    const copilotGpt5: ModelSpec = { ...M.gpt5, provider: 'copilot', contextTokens: 128000, prices: { inputPerMTokUsd: 0, outputPerMTokUsd: 0, date: '2025-10-01', source: 'fixture' } };
    const seen: string[] = [];
    const est = (m: ModelSpec, t: TokenCounts) => { seen.push(`${m.provider}/${m.id}`); return fixtureEstimate(m, t); };
    const d = decide(req('Design the plugin architecture; what are the trade-offs?'), 2000, opts([M.gpt5, copilotGpt5, M.q7], { objective: 'money', estimate: est }));
    assert.equal(d.model, 'gpt-5');
    assert.equal(d.estimate.cost.usd, 0, 'the Copilot entry (no per-token price here) is the cheaper one');
    // Both gpt-5 entries estimated apart; the 7b is too weak for a design question, so not estimated at all.
    assert.deepEqual(seen.sort(), ['copilot/gpt-5', 'openai/gpt-5']);
  });

  it('throws a human message when there is nothing to route to', () => {
    assert.throws(() => decide(req('hi'), 10, opts([])), /No models are available to route to: install an Ollama model or configure a cloud model\./);
  });

  it('sends an agent loop with tools and a long history to a top model', () => {
    const d = decide(agentRequest('Add pagination to the users endpoint and update its tests', 20), 45_000, opts([...MIXED, M.q3c30]));
    assert.equal(d.task, 'agentic');
    assert.ok(byId(d.model).capability.score >= 75, d.model);
    assert.match(d.reason, /^Agentic task \(4 tools, 41 messages\): /);
  });
});
