// RouteOptions.localPreference: a capable local model wins unless cloud is more than N times cheaper.
import * as assert from 'node:assert/strict';
import { Catalog } from '../../../src/core/catalog/catalog';
import { DEFAULT_CONFIG } from '../../../src/core/config';
import { decide, DEFAULT_LOCAL_PREFERENCE } from '../../../src/core/router/router';
import { ChatRequest, Estimate, ModelSpec, TokenCounts } from '../../../src/core/types';

const catalog = Catalog.builtIn();
const local = catalog.get('qwen2.5-coder:7b')!;
const cloud = catalog.get('gpt-5-mini')!;
const rename: ChatRequest = {
  id: 'r', surface: 'chat', workspace: { id: 'w', name: 'w' }, session: 's',
  messages: [{ role: 'user', content: 'Rename `tmp` to `total` in: function f(a){ let tmp = 0; for (const x of a) tmp += x; return tmp; }' }],
};

/** An estimator with fixed Wh per model (USD 0), so the ratio is exact. */
function fixed(whById: Record<string, number>) {
  return (m: ModelSpec, t: TokenCounts): Estimate => ({
    model: m.id, tokens: t,
    energy: { wh: whById[m.id], low: whById[m.id], high: whById[m.id], method: 'test' },
    cost: { usd: 0, method: 'test' }, carbon: { g: 0, gPerKwh: 0 },
  });
}

function route(whLocal: number, whCloud: number, localPreference?: number) {
  return decide(rename, 60, {
    candidates: [local, cloud], objective: 'energy', localOnly: false, budget: { preferLocal: false, blockCloud: false },
    estimate: fixed({ [local.id]: whLocal, [cloud.id]: whCloud }), localPreference,
  });
}

describe('router: local preference', () => {
  it('by the numbers alone (preference 1) the cheaper cloud model wins', () => {
    assert.equal(route(0.2, 0.1, 1).model, cloud.id);
  });

  it('without a preference given, the router uses the setting\'s default (DEFAULT_CONFIG.localPreference)', () => {
    assert.equal(DEFAULT_CONFIG.localPreference, DEFAULT_LOCAL_PREFERENCE);
    assert.equal(route(0.2, 0.1).model, local.id);
    assert.equal(route(0.1 * DEFAULT_LOCAL_PREFERENCE + 0.01, 0.1).model, cloud.id);
  });

  it('with a preference of 3, a local model up to 3x the cloud cost wins and the reason says why', () => {
    const d = route(0.29, 0.1, 3);
    assert.equal(d.model, local.id);
    assert.match(d.reason, /local preferred \(within 3× of the cheapest cloud model by energy\)/);
    assert.equal(d.runnerUp?.model, cloud.id);
  });

  it('beyond the preference, cloud still wins', () => {
    assert.equal(route(0.31, 0.1, 3).model, cloud.id);
  });

  it('a cheaper local model needs no preference and says nothing about it', () => {
    const d = route(0.05, 0.1, 3);
    assert.equal(d.model, local.id);
    assert.doesNotMatch(d.reason, /local preferred/);
  });

  it('the shipped default is a real preference', () => {
    assert.ok(DEFAULT_LOCAL_PREFERENCE > 1);
  });
});
