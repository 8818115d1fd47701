import * as assert from 'node:assert/strict';
import { Catalog } from '../../../src/core/catalog/catalog';
import { defaultEstimateSettings, DeviceProfile, estimate, EstimateSettings, listDeviceProfiles } from '../../../src/core/estimate';
import { cloudEnergy } from '../../../src/core/energy/cloudEnergy';
import { servedBytesPerParam, servingGpus as gpusFor } from '../../../src/core/energy/serving';
import { localPower, predictLocalTime } from '../../../src/core/energy/localEnergy';
import { ModelSpec, TokenCounts } from '../../../src/core/types';

const catalog = Catalog.builtIn();
const settings = defaultEstimateSettings();
const t = (input: number, output: number, cachedInput = 0, reasoning = 0): TokenCounts => ({ input, cachedInput, output, reasoning });
const device = (id: string): DeviceProfile => listDeviceProfiles().find((d) => d.id === id)!;
const servingGpus = (totalB: number) => gpusFor(totalB, servedBytesPerParam(totalB));
const withParams = (m: ModelSpec, activeB: number, totalB = activeB): ModelSpec => ({
  ...m, params: { totalB: { min: totalB, max: totalB }, activeB: { min: activeB, max: activeB } },
});

describe('estimate: cloud energy', () => {
  const sonnet = catalog.get('claude-sonnet-4-5')!;

  it('is method cloud-params with low <= wh <= high for every cloud model', () => {
    for (const m of catalog.byLocation('cloud')) {
      for (const tok of [t(0, 1), t(1000, 200), t(100_000, 4000, 80_000)]) {
        const e = estimate(m, tok, settings).energy;
        assert.equal(e.method, 'cloud-params');
        assert.ok(e.low > 0 && e.low <= e.wh && e.wh <= e.high, `${m.provider}/${m.id}: ${e.low} ${e.wh} ${e.high}`);
      }
    }
  });

  it('grows with output tokens and with input tokens', () => {
    let prev = 0;
    for (const out of [0, 1, 10, 100, 1000, 10_000]) {
      const wh = estimate(sonnet, t(5000, out), settings).energy.wh;
      assert.ok(wh > prev, `output ${out}`);
      prev = wh;
    }
    prev = 0;
    for (const inp of [0, 100, 10_000, 100_000]) {
      const e = estimate(sonnet, t(inp, 100), settings).energy;
      assert.ok(e.wh > prev && e.high > 0, `input ${inp}`);
      prev = e.wh;
    }
  });

  it('charges prefill: an input token costs less than an output token but not nothing', () => {
    const perIn = cloudEnergy(sonnet, t(10_000, 0)).wh / 10_000;
    const perOut = cloudEnergy(sonnet, t(0, 10_000)).wh / 10_000;
    assert.ok(perIn > 0 && perIn < perOut / 2);
  });

  it('grows with active and with total parameters', () => {
    let prev = 0;
    for (const a of [1, 8, 30, 70, 200, 600]) {
      const wh = cloudEnergy(withParams(sonnet, a), t(1000, 500)).wh;
      assert.ok(wh > prev, `active ${a}B`);
      prev = wh;
    }
    const small = cloudEnergy(withParams(sonnet, 20, 60), t(1000, 500)).wh;
    const wide = cloudEnergy(withParams(sonnet, 20, 1200), t(1000, 500)).wh;
    assert.ok(wide > small, 'more total parameters need more GPUs');
    assert.ok(servingGpus(1200) > servingGpus(60));
    assert.equal(servingGpus(8), 1);
    for (const n of [servingGpus(100), servingGpus(440), servingGpus(2000)]) assert.equal(Math.log2(n) % 1, 0, 'power of two');
  });

  it('widens with parameter uncertainty', () => {
    const known = estimate(withParams(sonnet, 100, 440), t(1000, 500), settings).energy;
    const unknown = estimate({ ...sonnet, params: { totalB: { min: 100, max: 1000 }, activeB: { min: 20, max: 300 } } }, t(1000, 500), settings).energy;
    assert.ok(unknown.high / unknown.low > known.high / known.low);
  });

  it('makes cached input cheaper than fresh input, in energy and in money', () => {
    const fresh = estimate(sonnet, t(50_000, 500, 0), settings);
    const cached = estimate(sonnet, t(50_000, 500, 50_000), settings);
    assert.ok(cached.energy.wh < fresh.energy.wh);
    assert.ok(cached.energy.high < fresh.energy.high);
    assert.ok(cached.cost.usd < fresh.cost.usd);
  });

  it('treats reasoning as part of output: same energy whether or not output tokens are reasoning', () => {
    const gpt5 = catalog.get('gpt-5')!;
    const plain = estimate(gpt5, t(1000, 2000, 0, 0), settings);
    const reasoning = estimate(gpt5, t(1000, 2000, 0, 1500), settings);
    assert.equal(reasoning.energy.wh, plain.energy.wh);
    assert.equal(reasoning.cost.usd, plain.cost.usd, 'no separate reasoning price: reasoning bills as output');
  });

  it('uses the model PUE', () => {
    const a = cloudEnergy({ ...sonnet, pue: 1.1 }, t(1000, 500)).wh;
    const b = cloudEnergy({ ...sonnet, pue: 1.5 }, t(1000, 500)).wh;
    assert.ok(Math.abs(b / a - 1.5 / 1.1) < 1e-12);
  });

  it('meters Ollama cloud models as cloud inference without a price', () => {
    const remote = catalog.get('gpt-oss:120b-cloud')!;
    const e = estimate(remote, t(1000, 500), settings);
    assert.equal(e.energy.method, 'cloud-params');
    assert.equal(e.cost.usd, 0);
    assert.equal(e.cost.method, 'subscription');
  });

  it('returns zero energy and money for zero tokens', () => {
    const e = estimate(sonnet, t(0, 0), settings);
    assert.equal(e.energy.wh, 0);
    assert.equal(e.cost.usd, 0);
    assert.equal(e.carbon.g, 0);
  });
});

describe('estimate: local energy', () => {
  const qwen7 = catalog.get('qwen2.5-coder:7b')!;
  const qwen32 = catalog.get('qwen2.5-coder:32b')!;

  it('with Ollama timing is exactly power x time (profile power)', () => {
    const d = device('rtx-4090');
    const s: EstimateSettings = { ...settings, device: d };
    const timing = { promptEvalMs: 250, evalMs: 4000, loadMs: 750 };
    const e = estimate(qwen7, t(2000, 500), s, timing);
    const seconds = (250 + 4000 + 750) / 1000;
    const host = d.hostPowerW!;
    const mid = (d.powerW.min + d.powerW.max) / 2 + (host.min + host.max) / 2;
    assert.equal(e.energy.method, 'local-profile');
    assert.ok(Math.abs(e.energy.wh - (mid * seconds) / 3600) < 1e-12);
    assert.ok(Math.abs(e.energy.low - ((d.powerW.min + host.min) * seconds) / 3600) < 1e-12);
    assert.ok(Math.abs(e.energy.high - ((d.powerW.max + host.max) * seconds) / 3600) < 1e-12);
  });

  it('with measured power is exactly measured x time (device without host power), narrow range', () => {
    const d = device('apple-m-series');
    assert.equal(d.hostPowerW, undefined);
    const s: EstimateSettings = { ...settings, device: d, measuredPowerW: 42 };
    const e = estimate(qwen7, t(2000, 500), s, { promptEvalMs: 1000, evalMs: 9000 });
    assert.equal(e.energy.method, 'local-measured');
    assert.ok(Math.abs(e.energy.wh - (42 * 10) / 3600) < 1e-12);
    assert.ok(e.energy.low < e.energy.wh && e.energy.high > e.energy.wh);
    assert.ok(e.energy.high / e.energy.low < 1.3, 'measured power gives a narrow range');
  });

  it('ignores timing for the token counts: the same durations give the same energy', () => {
    const timing = { promptEvalMs: 100, evalMs: 900 };
    const a = estimate(qwen7, t(10, 10), settings, timing).energy.wh;
    const b = estimate(qwen7, t(10_000, 2000), settings, timing).energy.wh;
    assert.equal(a, b);
  });

  it('predicts before the request: grows with tokens and with model size, low <= wh <= high', () => {
    for (const d of listDeviceProfiles()) {
      const s = { ...settings, device: d };
      let prev = 0;
      for (const out of [1, 10, 100, 1000]) {
        const e = estimate(qwen7, t(500, out), s).energy;
        assert.ok(e.wh > prev, `${d.id} output ${out}`);
        assert.ok(e.low <= e.wh && e.wh <= e.high, `${d.id}`);
        assert.equal(e.method, 'local-profile');
        prev = e.wh;
      }
      assert.ok(estimate(qwen32, t(500, 200), s).energy.wh > estimate(qwen7, t(500, 200), s).energy.wh, d.id);
    }
  });

  it('charges no time for cached input (Ollama prompt cache)', () => {
    const fresh = predictLocalTime(qwen7, t(8000, 100, 0), device('rtx-4090'));
    const cached = predictLocalTime(qwen7, t(8000, 100, 8000), device('rtx-4090'));
    assert.ok(cached.mid < fresh.mid);
  });

  it('a MoE decodes at the speed of its active parameters', () => {
    const moe = catalog.get('qwen3-coder:30b')!;
    const d = device('apple-m-max');
    assert.ok(predictLocalTime(moe, t(0, 1000), d).mid < predictLocalTime(qwen32, t(0, 1000), d).mid / 3);
  });

  it('slows down when the weights do not fit in device memory', () => {
    const d = device('rtx-4070');
    const fits = { ...d, memoryGB: 48 };
    assert.ok(predictLocalTime(qwen32, t(0, 100), d).mid > 2 * predictLocalTime(qwen32, t(0, 100), fits).mid);
  });

  it('decodes a 7B model at a plausible speed on an RTX 4090 (60-250 tokens/s)', () => {
    const tps = 1000 / predictLocalTime(qwen7, t(0, 1000), device('rtx-4090')).mid;
    assert.ok(tps > 60 && tps < 250, `${tps.toFixed(0)} tokens/s`);
  });

  it('localPower adds host power to the accelerator', () => {
    const d = device('cpu-desktop');
    const p = localPower(d);
    assert.equal(p.low, d.powerW.min + d.hostPowerW!.min);
    assert.equal(p.high, d.powerW.max + d.hostPowerW!.max);
  });
});

describe('estimate: bad input', () => {
  it('treats missing, negative or NaN token counts as zero instead of returning NaN', () => {
    const odd = { input: 1000, cachedInput: undefined, output: -5, reasoning: NaN } as unknown as TokenCounts;
    for (const m of [catalog.get('gpt-5')!, catalog.get('qwen2.5-coder:7b')!]) {
      const e = estimate(m, odd, settings);
      for (const v of [e.energy.wh, e.energy.low, e.energy.high, e.cost.usd, e.carbon.g]) assert.ok(Number.isFinite(v) && v >= 0, `${m.id}: ${v}`);
      assert.ok(e.energy.wh > 0, 'the 1000 input tokens still count');
    }
  });

  it('estimates with a minimal custom device profile (no throughput fields)', () => {
    const minimal = { id: 'custom', name: 'Custom', powerW: { min: 50, max: 80 }, memoryBandwidthGBs: 0 } as unknown as DeviceProfile;
    const e = estimate(catalog.get('qwen2.5-coder:7b')!, t(1000, 100), { ...settings, device: minimal });
    assert.ok(Number.isFinite(e.energy.wh) && e.energy.low <= e.energy.wh && e.energy.wh <= e.energy.high);
  });
});

describe('estimate: settings and devices', () => {
  it('defaults to world-average grid, a documented electricity price and a known device', () => {
    const s = defaultEstimateSettings();
    assert.equal(s.gridGPerKwh, 473);
    assert.equal(s.electricityUsdPerKwh, 0.165);
    assert.ok(listDeviceProfiles().some((d) => d.id === s.device.id));
    assert.notEqual(defaultEstimateSettings(), s, 'a fresh object each call');
  });

  it('lists the expected device profiles with ordered ranges and sources', () => {
    const ids = listDeviceProfiles().map((d) => d.id);
    for (const id of ['generic', 'apple-m-series', 'rtx-4090', 'rtx-3090', 'rtx-4070', 'cpu-laptop', 'cpu-desktop']) assert.ok(ids.includes(id), id);
    for (const d of listDeviceProfiles()) {
      for (const r of [d.powerW, d.decodeEfficiency, d.prefillTflops, d.hostPowerW].filter(Boolean)) {
        assert.ok(r!.min > 0 && r!.min <= r!.max, `${d.id}`);
      }
      assert.ok(d.memoryBandwidthGBs > 0);
      for (const k of ['powerW', 'memoryBandwidthGBs', 'decodeEfficiency', 'prefillTflops']) assert.ok(d.sources?.[k], `${d.id}: source ${k}`);
      if (d.hostPowerW) assert.ok(d.sources?.hostPowerW, `${d.id}: source hostPowerW`);
    }
    const m = listDeviceProfiles().find((d) => d.id === 'apple-m-series')!;
    assert.deepEqual(m.powerW, { min: 20, max: 60 });
    const g = listDeviceProfiles().find((d) => d.id === 'rtx-4090')!;
    assert.deepEqual(g.powerW, { min: 300, max: 450 });
  });

  it('returns copies of profiles', () => {
    const a = listDeviceProfiles()[0];
    a.powerW.min = -1;
    a.sources!.powerW = 'edited';
    assert.ok(listDeviceProfiles()[0].powerW.min > 0);
    assert.notEqual(listDeviceProfiles()[0].sources!.powerW, 'edited');
  });
});
