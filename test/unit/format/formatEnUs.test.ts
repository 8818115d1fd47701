// formatEnUs (format.ts's Intl-free en-US path) against Intl.NumberFormat('en-US') itself, for every
// option set format.ts uses, on random magnitudes from 1e-12 to 1e15, integers, halfway cases (x.5,
// x.005, 0.125, 2.675, 1.005…), carries (9.995, 999.5), negatives and zeros.
import * as assert from 'node:assert/strict';
import { EnUsStyle, formatEnUs } from '../../../src/core/formatEnUs';
import { formatUsd, formatWh, formatTokens, formatPercent, formatCount, setFormatLocale } from '../../../src/core/format';
import { mulberry32 } from '../../util/recordFactory';

const SETS: Array<[string, Intl.NumberFormatOptions, EnUsStyle]> = [
  ['sig3', { maximumSignificantDigits: 3 }, { maxSignificant: 3 }],
  ['sig1', { maximumSignificantDigits: 1 }, { maxSignificant: 1 }],
  ['sig6', { maximumSignificantDigits: 6 }, { maxSignificant: 6 }],
  ['int', { maximumFractionDigits: 0 }, { maxFraction: 0 }],
  ['pct1', { minimumFractionDigits: 0, maximumFractionDigits: 1 }, { minFraction: 0, maxFraction: 1 }],
  ['pct2', { minimumFractionDigits: 0, maximumFractionDigits: 2 }, { minFraction: 0, maxFraction: 2 }],
  ['usd2', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }, { usd: true, minFraction: 2, maxFraction: 2 }],
  ['usdSig', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 }, { usd: true, maxSignificant: 3 }],
];

function values(): number[] {
  const rnd = mulberry32(7);
  const out = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.005, 2.675, 1.045, 0.045, 0.0045, 9.995, 99.95, 999.5, 9999.5, 0.9995, 0.09995, 1234.5, 1e15, 999999.5, 123456789.5, 0.1 + 0.2, 1 / 3, 2 / 3, 1e-7, 5e-7, 0.0001, 0.00015, 12.345, 1.2345, 45.455, 0.995, 0.005, 0.015, 0.025, 1e21 - 1];
  for (let i = 0; i < 60_000; i++) {
    const mag = 10 ** Math.floor(rnd() * 27 - 12);
    out.push(rnd() * mag, -rnd() * mag, Math.round(rnd() * 1e6) / 1000, Math.round(rnd() * 1e5) / 200, Math.floor(rnd() * 1e9));
  }
  for (let k = 0; k < 2000; k++) for (const d of [1, 10, 100, 1000, 1e4]) out.push((k + 0.5) / d, (k * 10 + 5) / (d * 10));
  return out;
}

describe('format/formatEnUs: the same text as Intl.NumberFormat(en-US)', function () {
  this.timeout(120_000);
  const vs = values();

  for (const [name, opts, style] of SETS) {
    it(`${name}: ${vs.length} values`, () => {
      const intl = new Intl.NumberFormat('en-US', opts);
      let bad = 0;
      const examples: string[] = [];
      for (const v of vs) {
        const want = intl.format(v);
        const got = formatEnUs(v, style);
        if (got !== want) { bad++; if (examples.length < 8) examples.push(`${v}: ${got} vs Intl ${want}`); }
      }
      assert.equal(bad, 0, examples.join('\n'));
    });
  }

  it('format.ts gives the same text with the en-US path and with Intl (another locale formatter set to en-US by hand)', () => {
    const sample = vs.filter((_, i) => i % 37 === 0);
    const mine = sample.map((v) => [formatUsd(v), formatWh(v), formatTokens(v * 1e6), formatPercent(v), formatCount(v)].join('|'));
    setFormatLocale('en-us'); // not exactly 'en-US': Intl is used, with the same locale data
    try {
      const viaIntl = sample.map((v) => [formatUsd(v), formatWh(v), formatTokens(v * 1e6), formatPercent(v), formatCount(v)].join('|'));
      assert.deepEqual(mine, viaIntl);
    } finally {
      setFormatLocale('en-US');
    }
  });

  it('non-finite numbers are left to Intl', () => {
    for (const v of [NaN, Infinity, -Infinity]) assert.equal(formatEnUs(v, { maxSignificant: 3 }), undefined);
  });
});
