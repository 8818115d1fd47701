import * as assert from 'node:assert/strict';
import { parseBudgetPolicy } from '../../../src/core/budget/budgetConfig';

describe('budget/parseBudgetPolicy', () => {
  it('reads flat settings keys into limits, warnAt and action', () => {
    const { policy, errors } = parseBudgetPolicy({ 'session.tokens': 100000, 'day.usd': 2, 'week.wh': 50, 'month.usd': 40, warnAt: 0.9, action: 'block' });
    assert.deepEqual(errors, []);
    assert.deepEqual(policy, {
      limits: { session: { tokens: 100000 }, day: { usd: 2 }, week: { wh: 50 }, month: { usd: 40 } },
      warnAt: 0.9,
      action: 'block',
    });
  });

  it('reads the nested shape of a configuration object and skips its methods', () => {
    const cfg = { day: { usd: 2, wh: 0 }, action: 'preferLocal', get() { return 1; }, has() { return true; } };
    const { policy, errors } = parseBudgetPolicy(cfg);
    assert.deepEqual(errors, []);
    assert.deepEqual(policy.limits, { day: { usd: 2 } });
    assert.equal(policy.action, 'preferLocal');
  });

  it('defaults: no limits, warnAt 0.8, action warn; 0 and null mean no limit', () => {
    assert.deepEqual(parseBudgetPolicy(undefined), { policy: { limits: {}, warnAt: 0.8, action: 'warn' }, errors: [] });
    const { policy, errors } = parseBudgetPolicy({ 'day.usd': 0, 'week.usd': null, 'month.wh': 0 });
    assert.deepEqual(errors, []);
    assert.deepEqual(policy.limits, {});
  });

  it('rejects invalid limits with a message naming the full setting, and keeps the valid ones', () => {
    const { policy, errors } = parseBudgetPolicy({
      'day.usd': 'ten', 'day.wh': -1, 'week.usd': Number.NaN, 'week.tokens': Number.POSITIVE_INFINITY,
      'month.usd': '10', 'month.wh': true, 'session.usd': { v: 1 }, 'session.tokens': 5000,
    });
    assert.deepEqual(policy.limits, { session: { tokens: 5000 } });
    assert.deepEqual(errors, [
      'rightsize.budget.day.usd must be a non-negative number (got "ten"); no limit set',
      'rightsize.budget.day.wh must be a non-negative number (got -1); no limit set',
      'rightsize.budget.week.usd must be a non-negative number (got NaN); no limit set',
      'rightsize.budget.week.tokens must be a non-negative number (got Infinity); no limit set',
      'rightsize.budget.month.usd must be a non-negative number (got "10"); no limit set',
      'rightsize.budget.month.wh must be a non-negative number (got true); no limit set',
      'rightsize.budget.session.usd must be a non-negative number (got {"v":1}); no limit set',
    ]);
  });

  it('rejects warnAt outside (0, 1] and unknown actions, falling back to defaults', () => {
    for (const bad of [0, -0.5, 1.5, Number.NaN, '0.8']) {
      const { policy, errors } = parseBudgetPolicy({ warnAt: bad });
      assert.equal(policy.warnAt, 0.8);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /^rightsize\.budget\.warnAt must be a number greater than 0 and at most 1 \(got .+\); using 0\.8$/);
    }
    assert.equal(parseBudgetPolicy({ warnAt: 1 }).policy.warnAt, 1);
    const { policy, errors } = parseBudgetPolicy({ action: 'refuse' });
    assert.equal(policy.action, 'warn');
    assert.deepEqual(errors, ['rightsize.budget.action must be one of "warn", "preferLocal", "block" (got "refuse"); using "warn"']);
  });

  it('reports unknown keys (a typo must not silently mean no limit) and uses the given prefix', () => {
    const { policy, errors } = parseBudgetPolicy({ 'dai.usd': 2, 'day.dollars': 3 }, 'budget');
    assert.deepEqual(policy.limits, {});
    assert.equal(errors.length, 2);
    assert.match(errors[0], /^budget\.dai\.usd is not a budget setting/);
    assert.match(errors[1], /^budget\.day\.dollars is not a budget setting/);
  });

  it('rejects a non-object', () => {
    const { policy, errors } = parseBudgetPolicy('block');
    assert.deepEqual(policy.limits, {});
    assert.deepEqual(errors, ['rightsize.budget must be an object of settings (got "block")']);
  });

  it('lets a flat key win over the same nested key', () => {
    const { policy } = parseBudgetPolicy({ day: { usd: 1 }, 'day.usd': 3 });
    assert.deepEqual(policy.limits, { day: { usd: 3 } });
  });
});
