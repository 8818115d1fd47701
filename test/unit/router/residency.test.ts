// Local realities (residency.ts): a loaded Ollama model against one that must load first, the load's energy
// in the comparison, memory that does not hold both, and /api/ps read with the real `ollama` client from
// the fake Ollama.
import * as assert from 'node:assert/strict';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { Catalog } from '../../../src/core/catalog/catalog';
import { deviceProfile } from '../../../src/core/energy/devices';
import { decide, RouteOptions } from '../../../src/core/router/router';
import { LOAD_GB_PER_S, memoryNote, OllamaSnapshot, residency, weightsGB } from '../../../src/core/router/residency';
import type { ChatRequest, Estimate, ModelSpec, TokenCounts } from '../../../src/core/types';
import { startFakeOllama } from '../../fakes';

const catalog = Catalog.builtIn();
const q7 = catalog.get('qwen2.5-coder:7b')!;
const q14 = catalog.get('qwen2.5-coder:14b')!;
const q32 = catalog.get('qwen2.5-coder:32b')!;
const rtx4090 = deviceProfile('rtx-4090')!;
const laptop = deviceProfile('cpu-laptop')!;
const settings = { device: rtx4090, electricityUsdPerKwh: 0.17 };

const testRequest: ChatRequest = {
  id: 't', surface: 'chat', workspace: { id: 'w', name: 'w' }, session: 's',
  messages: [{ role: 'user', content: 'Write unit tests for this function:\n```js\nfunction add(a, b) { return a + b; }\n```' }],
};

/** Fixed Wh per model, so the load is the only difference the test makes. */
function fixed(whById: Record<string, number>) {
  return (m: ModelSpec, t: TokenCounts): Estimate => ({
    model: m.id, tokens: t, energy: { wh: whById[m.id], low: whById[m.id] * 0.8, high: whById[m.id] * 1.2, method: 'test' },
    cost: { usd: whById[m.id] * 0.00017, method: 'test' }, carbon: { g: 0, gPerKwh: 0 },
  });
}
const loadedSnapshot = (...ids: Array<[string, number]>): OllamaSnapshot => ({ loaded: ids.map(([id, gb]) => ({ id, sizeBytes: gb * 1e9, sizeVramBytes: gb * 1e9 })) });

function route(snapshot: OllamaSnapshot | undefined, wh: Record<string, number>, candidates = [q7, q14]) {
  const options: RouteOptions = {
    candidates, objective: 'energy', localOnly: false, budget: { preferLocal: false, blockCloud: false }, estimate: fixed(wh),
    residency: snapshot ? residency(snapshot, settings) : undefined,
  };
  return decide(testRequest, 80, options);
}

describe('residency: loaded models and the cost of loading', () => {
  // 7b needs 0.30 Wh, 14b 0.45 Wh: 7b wins unless it must load and 14b need not.
  const wh = { [q7.id]: 0.30, [q14.id]: 0.45 };

  it('without /api/ps the cheaper model wins and nothing is said about loading', () => {
    const d = route(undefined, wh);
    assert.equal(d.model, q7.id);
    assert.doesNotMatch(d.reason, /load/);
  });

  it('a loaded capable model beats a cheaper one that must load first, and says why', () => {
    const r = residency(loadedSnapshot([q14.id, 9.9]), settings);
    const load = r.load(q7)!;
    assert.ok(load.energy.mid > wh[q14.id] - wh[q7.id], `the load (${load.energy.mid} Wh) outweighs the difference`);
    const d = route(loadedSnapshot([q14.id, 9.9]), wh);
    assert.equal(d.model, q14.id, d.reason);
    assert.match(d.reason, /already loaded in Ollama/);
    assert.equal(d.load, undefined);
  });

  it('when nothing is loaded, the load counts for everyone: the cheaper one wins, with its load in the estimate and the reason', () => {
    const d = route(loadedSnapshot(), wh);
    assert.equal(d.model, q7.id);
    const load = residency(loadedSnapshot(), settings).load(q7)!;
    assert.ok(Math.abs(d.estimate.energy.wh - (wh[q7.id] + load.energy.mid)) < 1e-12, 'the estimate includes the load');
    assert.match(d.reason, /not loaded in Ollama: about [\d.]+ s to load [\d.]+ GB first \(counted: [\d.]+ Wh\)/);
    assert.equal(d.load?.unloads.length, 0);
  });

  it('the load: weights over 0.5–3 GB/s at the device\'s power; remote and cloud models have none; tags match with or without :latest', () => {
    const r = residency(loadedSnapshot(), settings);
    const load = r.load(q7)!;
    const gb = weightsGB(q7);
    assert.ok(gb > 4 && gb < 6, `7b Q4 weights ${gb} GB`);
    assert.ok(Math.abs(load.seconds.low - gb / LOAD_GB_PER_S.max) < 1e-9 && Math.abs(load.seconds.high - gb / LOAD_GB_PER_S.min) < 1e-9);
    const w = { low: rtx4090.powerW.min + (rtx4090.hostPowerW?.min ?? 0), high: rtx4090.powerW.max + (rtx4090.hostPowerW?.max ?? 0) };
    assert.ok(Math.abs(load.energy.low - (w.low * load.seconds.low) / 3600) < 1e-9);
    assert.ok(Math.abs(load.energy.high - (w.high * load.seconds.high) / 3600) < 1e-9);
    const remote = catalog.get('gpt-oss:120b-cloud') ?? { ...q7, id: 'gpt-oss:120b-cloud', remote: true };
    assert.equal(r.load({ ...remote, remote: true }), undefined);
    assert.equal(r.load(catalog.get('gpt-5-mini')!), undefined);
    const latest = residency(loadedSnapshot(['llama3.1:latest', 5]), settings);
    assert.ok(latest.isLoaded({ ...q7, id: 'llama3.1' }));
  });

  it('no room next to what is loaded: the decision names what Ollama unloads, and the answer is told', () => {
    // A 4090 (24 GB, 21.6 usable) holding qwen2.5-coder:32b (20 GB): 7b does not fit beside it.
    const d = route(loadedSnapshot([q32.id, 20]), { [q7.id]: 0.30, [q14.id]: 0.45, [q32.id]: 2.5 }, [q7, q32]);
    assert.equal(d.model, q7.id, d.reason);
    assert.deepEqual(d.load?.unloads, [q32.id]);
    assert.match(d.reason, /no room next to qwen2\.5-coder:32b in 21\.6 GB usable: Ollama unloads it first/);
    assert.match(memoryNote(q7, d.load)!, /^Rightsize: loading qwen2\.5-coder:7b \([\d.]+ GB\) makes Ollama unload qwen2\.5-coder:32b — not enough memory for both\.$/);
    // With room for both, nothing is unloaded and nothing is said.
    const roomy = residency(loadedSnapshot([q14.id, 9.9]), settings).load(q7)!;
    assert.deepEqual(roomy.unloads, []);
    assert.equal(memoryNote(q7, roomy), undefined);
  });

  it('memory: the memoryGiB setting wins over the device profile, which wins over the host\'s RAM', () => {
    const snap = (extra: Partial<OllamaSnapshot>) => ({ ...loadedSnapshot([q14.id, 9.9]), ...extra });
    assert.deepEqual(residency(snap({ memoryGB: 12 }), settings).load(q7)!.unloads, [q14.id], '12 GB set: no room beside 14b');
    assert.deepEqual(residency(snap({ hostMemoryGB: 12 }), settings).load(q7)!.unloads, [], 'the 4090 profile (24 GB) wins over the host RAM');
    const generic = { device: deviceProfile('generic')!, electricityUsdPerKwh: 0.17 };
    assert.equal(residency(snap({}), generic).load(q7)!.usableGB, undefined, 'unknown memory: no fit check');
    assert.deepEqual(residency(snap({ hostMemoryGB: 12 }), generic).load(q7)!.unloads, [q14.id]);
  });

  it('a model that does not fit even alone is offloaded, and says so', () => {
    const r = residency(loadedSnapshot(), { device: laptop, electricityUsdPerKwh: 0.17 });
    const load = r.load(q32)!;
    assert.ok(load.weightsGB > laptop.memoryGB! * 0.9);
    assert.ok(load.offloaded);
    assert.match(memoryNote(q32, load)!, /does not fit in this machine's [\d.]+ GB usable memory; part of it runs from host memory/);
  });

  it('/api/ps through the real ollama client: a model the fake ran is reported loaded, with its size', async () => {
    const fake = await startFakeOllama();
    try {
      const backend = new OllamaBackend({ host: fake.url });
      assert.deepEqual(await backend.running(), []);
      const spec = catalog.get('qwen2.5-coder:1.5b')!;
      for await (const part of backend.stream(spec, { ...testRequest, messages: [{ role: 'user', content: 'hi' }] }, new AbortController().signal)) void part;
      const running = await backend.running();
      assert.deepEqual(running.map((m) => m.tag), ['qwen2.5-coder:1.5b']);
      assert.ok(running[0].sizeBytes > 9e8);
      const r = residency({ loaded: running.map((m) => ({ id: m.tag, sizeBytes: m.sizeBytes, sizeVramBytes: m.sizeVramBytes })) }, settings);
      assert.ok(r.isLoaded(spec));
      assert.equal(r.load(spec), undefined);
      assert.ok(r.load(q7));
    } finally {
      await fake.close();
    }
  });
});
