// The webview's pure helpers (no DOM): number formatting with units, stacking series, day filling.
import * as assert from 'node:assert/strict';
import { dayOfMonth, fmtCo2, fmtCount, fmtPct, fmtTokensCompact, fmtUsd, fmtWh, fmtWhRange, niceTicks, setLocale } from '../../../src/webview/format';
import { buildSeries, fillDays, modelClasses, OTHER_CLASS } from '../../../src/webview/series';
import { sampleReport, totals } from './fixtures';

describe('usage panel webview: formatting', () => {
  before(() => setLocale('en-US'));
  after(() => setLocale(undefined));

  it('energy keeps three significant digits and switches to kWh/MWh', () => {
    assert.equal(fmtWh(0), '0 Wh');
    assert.equal(fmtWh(0.0423456), '0.0423 Wh');
    assert.equal(fmtWh(12.345), '12.3 Wh');
    assert.equal(fmtWh(1234.5), '1.23 kWh');
    assert.equal(fmtWh(2_500_000), '2.5 MWh');
    assert.equal(fmtWh(-0.879), '-0.879 Wh');
    assert.equal(fmtWhRange(741, 3160), '0.741–3.16 kWh');
  });
  it('money: cents from ten cents up, three significant digits below', () => {
    assert.equal(fmtUsd(0), '$0.00');
    assert.equal(fmtUsd(0.012345), '$0.0123');
    assert.equal(fmtUsd(0.0754), '$0.0754');
    assert.equal(fmtUsd(0.509), '$0.51');
    assert.equal(fmtUsd(1115.074), '$1,115.07');
    assert.equal(fmtUsd(-0.5), '-$0.50');
  });
  it('tokens, carbon, counts, percentages', () => {
    assert.equal(fmtTokensCompact(950), '950 tokens');
    assert.equal(fmtTokensCompact(65_862_257), '65.9M tokens');
    assert.equal(fmtCo2(0.58), '0.58 g CO2e');
    assert.equal(fmtCo2(3760), '3.76 kg CO2e');
    assert.equal(fmtCount(1234567.4), '1,234,567');
    assert.equal(fmtPct(0.25), '25%');
    assert.equal(fmtPct(0.042), '4.2%');
    assert.equal(fmtPct(0.0091), '0.91%');
  });
  it('axis ticks are nice and reach the maximum', () => {
    assert.deepEqual(niceTicks(57), [0, 20, 40, 60]);
    assert.deepEqual(niceTicks(0.9), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(niceTicks(0), [0, 1]);
    assert.equal(dayOfMonth('2025-11-07'), 7);
  });
});

describe('usage panel webview: series and days', () => {
  it('stacks up to six models; the rest become "Other" and sum exactly', () => {
    const report = sampleReport();
    const models = Array.from({ length: 8 }, (_, i) => ({ ...totals(1), wh: 8 - i, model: `m${i}`, provider: 'openai' as const, location: 'cloud' as const }));
    const byModel = Object.fromEntries(models.map((m, i) => [m.model, { wh: i + 0.5, usd: 0, requests: 1 }]));
    const days = [{ ...report.days[0], byModel }];
    const series = buildSeries(days, models, 'model');
    assert.equal(series.length, 6);
    assert.deepEqual(series.slice(0, 5).map((s) => s.key), ['m0', 'm1', 'm2', 'm3', 'm4']);
    assert.deepEqual(series[5].members, ['m5', 'm6', 'm7']);
    assert.equal(series[5].values[0], 5.5 + 6.5 + 7.5);
    assert.equal(modelClasses(series).get('m7'), OTHER_CLASS);
    assert.equal(modelClasses(series).get('m0'), 'series-blue');
  });
  it('local vs cloud uses the day rows', () => {
    const report = sampleReport();
    const [local, cloud] = buildSeries(report.days, report.models, 'location');
    assert.deepEqual(local.values, report.days.map((d) => d.localWh));
    assert.deepEqual(cloud.values, report.days.map((d) => d.cloudWh));
  });
  it('fills every day of the period with zero rows where the report has none', () => {
    const report = sampleReport();
    const local = (y: number, m: number, d: number) => new Date(y, m, d).toISOString();
    const filled = fillDays({ ...report, period: { kind: 'week', start: local(2025, 10, 17), end: local(2025, 10, 24) } });
    assert.deepEqual(filled.map((d) => d.day), ['2025-11-17', '2025-11-18', '2025-11-19', '2025-11-20', '2025-11-21', '2025-11-22', '2025-11-23']);
    assert.equal(filled[0], report.days[0]);
    assert.equal(filled[6].requests, 0);
    assert.equal(fillDays({ ...report, period: { ...report.period, end: 'garbage' } }), report.days);
  });
});
