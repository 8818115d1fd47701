// format.ts formats en-US amounts without Intl (the router writes several into every decision's reason).
// Its output must be Intl's, to the character: compared here on values across magnitudes, with exact
// decimal ties (1.005, 0.125, 999.5), values that round up to a new digit (9.995, 0.09995), grouping and
// negatives. Another locale still goes through Intl.
import * as assert from 'assert';
import { energyUnitFor, formatGrams, formatTokens, formatUsd, formatWh, setFormatLocale, SMALLEST_SHOWN } from '../../../src/core/format';

const SIG3 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const USD2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const USD_SIG = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 });

/** A deterministic spread of values: random mantissas over 10^-4 .. 10^12, rounded ones, ties, both signs. */
function values(count: number): number[] {
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out = [0, -0, 0.5, 1.005, 0.125, 2.675, 1.45, 0.995, 9.995, 99.95, 999.5, 9995, 99950, 0.0995, 0.09995, 0.1, 0.0999999, 0.00015, 0.00014999, 1e21, 1.2345e22, 123456789012];
  for (let i = 0; i < count; i++) {
    const exp = Math.floor(rnd() * 17) - 4;
    let v = rnd() * 10 ** exp;
    if (i % 3 === 0) v = Number(v.toPrecision(3 + (i % 4)));
    if (i % 5 === 0) v = Number((rnd() * 10).toFixed(3)) * 10 ** exp;
    out.push(i % 2 ? -v : v);
  }
  return out;
}

describe('format: en-US without Intl', () => {
  afterEach(() => setFormatLocale('en-US'));

  it('formats Wh, tokens and grams exactly as Intl (maximumSignificantDigits 3)', () => {
    let compared = 0;
    for (const v of values(100_000)) {
      if (v === 0 || Math.abs(v) < SMALLEST_SHOWN) continue;
      const { unit, factor } = energyUnitFor(v);
      assert.equal(formatWh(v), `${SIG3.format(v / factor)} ${unit}`, `formatWh(${v})`);
      if (Math.abs(v) >= 1000 && Math.abs(v) < 1e6) assert.equal(formatTokens(v), `${SIG3.format(v / 1e3)}k`, `formatTokens(${v})`);
      if (Math.abs(v) < 1e3) assert.equal(formatGrams(v), `${SIG3.format(v)} g CO2e`, `formatGrams(${v})`);
      compared++;
    }
    assert.ok(compared > 90_000, `${compared} values compared`);
  });

  it('formats dollars exactly as Intl: cents from $0.10, three significant digits below', () => {
    for (const v of values(100_000)) {
      if (v !== 0 && Math.abs(v) < SMALLEST_SHOWN) continue;
      const want = v === 0 || Math.abs(v) >= 0.1 ? USD2.format(v) : USD_SIG.format(v);
      assert.equal(formatUsd(v), want, `formatUsd(${v})`);
    }
    assert.equal(formatUsd(1234.5), '$1,234.50');
    assert.equal(formatUsd(-0.5), '-$0.50');
    assert.equal(formatUsd(0.0423), '$0.0423');
    assert.equal(formatWh(9.995), '10 Wh');
  });

  it('another locale goes through Intl', () => {
    setFormatLocale('de-DE');
    assert.equal(formatWh(1234.5), `${new Intl.NumberFormat('de-DE', { maximumSignificantDigits: 3 }).format(1.2345)} kWh`);
    assert.equal(formatUsd(1234.5), new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(1234.5));
  });
});
