// Estimator throughput: the router calls `estimate` for every candidate of every request.
import { Catalog } from '../src/core/catalog/catalog';
import { defaultEstimateSettings, estimate } from '../src/core/estimate';
import { TokenCounts } from '../src/core/types';
import { BenchSuite, opsPerSecond } from './harness';

export const suite: BenchSuite = {
  name: 'estimate',
  async run() {
    const models = Catalog.builtIn().all();
    const settings = defaultEstimateSettings();
    const tokens: TokenCounts = { input: 20_000, cachedInput: 15_000, output: 800, reasoning: 0 };
    let i = 0;
    let sink = 0;
    const rate = opsPerSecond(() => { sink += estimate(models[i++ % models.length], tokens, settings).energy.wh; });
    const base = opsPerSecond(() => { sink += models[i++ % models.length].params.activeB.max; });
    if (sink === 42) console.log('');
    return [{
      name: 'estimate.estimatesPerSecond', value: rate, unit: 'estimates/s', target: { op: '>=', value: 100_000 },
      baseline: { name: 'read activeB.max only', value: base }, note: `${models.length} catalog models in rotation`,
    }];
  },
};
