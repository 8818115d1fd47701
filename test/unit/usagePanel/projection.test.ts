import * as assert from 'node:assert/strict';
import type { BudgetLine } from '../../../src/core/types';
import { DEFAULT_MIN_ELAPSED_FRACTION, elapsedFraction, periodBounds, projectBudgetLines, projectLinear } from '../../../src/vscode/usagePanel/projection';

function line(period: BudgetLine['period'], used: number): BudgetLine {
  return { period, unit: 'wh', limit: 100, used, reserved: 3, fraction: used / 100, level: 'ok' };
}

describe('usage panel budget projection', () => {
  it('day, week (Monday start) and month bounds in local time', () => {
    const now = new Date(2025, 10, 19, 12, 0, 0); // Wednesday 19 Nov 2025, noon
    assert.deepEqual(periodBounds('day', now), { start: new Date(2025, 10, 19), end: new Date(2025, 10, 20) });
    assert.deepEqual(periodBounds('week', now), { start: new Date(2025, 10, 17), end: new Date(2025, 10, 24) });
    assert.deepEqual(periodBounds('week', now, 0), { start: new Date(2025, 10, 16), end: new Date(2025, 10, 23) });
    assert.deepEqual(periodBounds('month', now), { start: new Date(2025, 10, 1), end: new Date(2025, 11, 1) });
    const sunday = new Date(2025, 10, 23, 23, 0);
    assert.deepEqual(periodBounds('week', sunday).start, new Date(2025, 10, 17));
    assert.deepEqual(periodBounds('month', new Date(2025, 11, 31, 8)).end, new Date(2026, 0, 1));
  });

  it('elapsed fraction is measured in real time and clamped', () => {
    const b = { start: new Date(2025, 10, 17), end: new Date(2025, 10, 24) };
    assert.equal(elapsedFraction(b, new Date(2025, 10, 19, 12)), 2.5 / 7);
    assert.equal(elapsedFraction(b, new Date(2025, 10, 10)), 0);
    assert.equal(elapsedFraction(b, new Date(2025, 10, 30)), 1);
  });

  it('projects linearly: used / elapsed', () => {
    assert.equal(projectLinear(10, 0.5), 20);
    assert.equal(projectLinear(30, 0.25), 120);
    assert.ok(Math.abs(projectLinear(7, 2.5 / 7) - 19.6) < 1e-12);
  });

  it('floors the elapsed fraction early in a period, and never projects below use', () => {
    assert.equal(projectLinear(1, 0.001), 1 / DEFAULT_MIN_ELAPSED_FRACTION);
    assert.equal(projectLinear(1, 0), 20);
    assert.equal(projectLinear(1, 0.01, 0.1), 10);
    assert.equal(projectLinear(5, 1), 5);
    assert.equal(projectLinear(0, 0.3), 0);
    assert.ok(projectLinear(5, 0.999) >= 5);
  });

  it('projects each line; a session projects to its use', () => {
    const now = new Date(2025, 10, 19, 12, 0, 0);
    const out = projectBudgetLines([line('session', 4), line('day', 5), line('week', 7), line('month', 9)], now);
    assert.equal(out[0].projected, 4);
    assert.equal(out[1].projected, 10); // half the day gone
    assert.ok(Math.abs(out[2].projected - 7 / (2.5 / 7)) < 1e-12);
    const month = periodBounds('month', now);
    const f = (now.getTime() - month.start.getTime()) / (month.end.getTime() - month.start.getTime());
    assert.ok(Math.abs(out[3].projected - 9 / f) < 1e-12);
    assert.equal(out[1].reserved, 3); // other fields kept
  });

  describe('around a daylight-saving change', () => {
    let saved: string | undefined;
    before(() => { saved = process.env.TZ; process.env.TZ = 'Europe/Berlin'; });
    after(() => { if (saved === undefined) delete process.env.TZ; else process.env.TZ = saved; });
    it('uses the 23-hour length of the spring-forward day', () => {
      const now = new Date(2025, 2, 30, 12, 0, 0); // 30 Mar 2025, clocks went forward at 02:00
      const b = periodBounds('day', now);
      assert.equal(b.end.getTime() - b.start.getTime(), 23 * 3600_000);
      assert.equal(elapsedFraction(b, now), 11 / 23);
    });
  });
});
