import * as assert from 'node:assert/strict';
import { ANCHOR_FACTOR, evaluateAnchors } from '../../../src/core/energy/anchors';
import { cloudEnergy } from '../../../src/core/energy/cloudEnergy';
import { Catalog } from '../../../src/core/catalog/catalog';

describe('energy model against published anchors', () => {
  const results = evaluateAnchors();

  it('evaluates the three anchors named in the design', () => {
    assert.deepEqual(results.map((r) => r.id).sort(), ['epoch-gpt-4o', 'google-gemini-median', 'mlenergy-llama-8b']);
  });

  for (const id of ['epoch-gpt-4o', 'google-gemini-median', 'mlenergy-llama-8b']) {
    it(`${id}: published value inside [low, high] and central within ${ANCHOR_FACTOR}x`, () => {
      const r = results.find((x) => x.id === id)!;
      assert.ok(r.low <= r.wh && r.wh <= r.high, `${id}: unordered range ${r.low}..${r.wh}..${r.high}`);
      assert.ok(r.insideRange, `${id}: ${r.published} ${r.unit} outside [${r.low.toFixed(4)}, ${r.high.toFixed(4)}]`);
      assert.ok(r.ratio <= ANCHOR_FACTOR && r.ratio >= 1 / ANCHOR_FACTOR, `${id}: central ${r.wh.toFixed(4)} is ${r.ratio.toFixed(2)}x the anchor`);
    });
  }

  it('the Epoch anchor is an output-dominated request: 500 output tokens cost far more than 100 input tokens', () => {
    const gpt4o = Catalog.builtIn().get('gpt-4o')!;
    const outOnly = cloudEnergy(gpt4o, { input: 0, cachedInput: 0, output: 500, reasoning: 0 }).wh;
    const inOnly = cloudEnergy(gpt4o, { input: 100, cachedInput: 0, output: 0, reasoning: 0 }).wh;
    assert.ok(outOnly > 10 * inOnly);
  });
});
