import * as assert from 'node:assert/strict';
import { ANCHOR_FACTOR, evaluateMlEnergyAnchors, evaluateProductionAnchors, mlEnergyFit, MLENERGY_FACTOR } from '../../../src/core/energy/anchors';
import { cloudEnergy } from '../../../src/core/energy/cloudEnergy';
import { Catalog } from '../../../src/core/catalog/catalog';

describe('energy model against ML.ENERGY measurements', () => {
  const results = evaluateMlEnergyAnchors();

  it('covers dense 8B, 70B, 405B FP8 and two MoE models', () => {
    assert.deepEqual(results.map((r) => r.id).sort(), [
      'mlenergy-dense-405b-fp8', 'mlenergy-dense-70b', 'mlenergy-dense-8b', 'mlenergy-moe-gpt-oss-120b', 'mlenergy-moe-qwen3-235b-fp8',
    ]);
  });

  for (const r of evaluateMlEnergyAnchors()) {
    it(`${r.id}: measured ${r.published} J/token inside [low, high] and central within ${MLENERGY_FACTOR}x`, () => {
      assert.ok(r.low <= r.wh && r.wh <= r.high, `unordered range ${r.low}..${r.wh}..${r.high}`);
      assert.ok(r.insideRange, `${r.published} J/token outside [${r.low.toFixed(3)}, ${r.high.toFixed(3)}]`);
      assert.ok(r.ratio <= MLENERGY_FACTOR && r.ratio >= 1 / MLENERGY_FACTOR, `central ${r.wh.toFixed(3)} is ${r.ratio.toFixed(2)}x`);
    });
  }

  it('fits every measured batch size (16-1024) of the dense sweeps within 1.15x', () => {
    const fit = mlEnergyFit().filter((p) => p.cls.startsWith('dense'));
    assert.ok(fit.length >= 25, `${fit.length} points`);
    for (const p of fit) assert.ok(p.ratio > 1 / 1.15 && p.ratio < 1.15, `${p.cls} batch ${p.batch}: ${p.model.toFixed(3)} vs ${p.measured} (${p.ratio.toFixed(2)}x)`);
  });
});

describe('energy model against production anchors', () => {
  const results = evaluateProductionAnchors();
  const by = (id: string) => results.find((r) => r.id === id)!;

  it('every anchor lies inside [low, high]', () => {
    for (const r of results) assert.ok(r.insideRange, `${r.id}: ${r.published} ${r.unit} outside [${r.low.toFixed(3)}, ${r.high.toFixed(3)}]`);
  });

  it(`Epoch AI's typical GPT-4o query: central within ${ANCHOR_FACTOR}x`, () => {
    const r = by('epoch-gpt-4o');
    assert.ok(r.ratio <= ANCHOR_FACTOR && r.ratio >= 1 / ANCHOR_FACTOR, `central ${r.wh.toFixed(3)} Wh is ${r.ratio.toFixed(2)}x ${r.published}`);
  });

  it('long inputs cost more, as Epoch estimates: 10k and 100k input tokens at least 2.5x and 25x the short query', () => {
    assert.ok(by('epoch-gpt-4o-10k').wh > 2.5 * by('epoch-gpt-4o').wh);
    assert.ok(by('epoch-gpt-4o-100k').wh > 25 * by('epoch-gpt-4o').wh);
  });

  it('the Epoch anchor is an output-dominated request: 500 output tokens cost far more than 100 input tokens', () => {
    const gpt4o = Catalog.builtIn().get('gpt-4o')!;
    const outOnly = cloudEnergy(gpt4o, { input: 0, cachedInput: 0, output: 500, reasoning: 0 }).mid;
    const inOnly = cloudEnergy(gpt4o, { input: 100, cachedInput: 0, output: 0, reasoning: 0 }).mid;
    assert.ok(outOnly > 10 * inOnly);
  });
});
