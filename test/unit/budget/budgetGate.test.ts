import * as assert from 'node:assert/strict';
import { AdmitInput, BudgetGate, LevelChange, Reservation } from '../../../src/core/budget/budgetGate';
import { periodKey, startOfPeriod, nextPeriodStart } from '../../../src/core/budget/periods';
import type { BudgetLine, BudgetPolicy } from '../../../src/core/types';

/** A clock the test moves. Local time: Friday 14 March 2025, 10:00. */
function clock(start = new Date(2025, 2, 14, 10, 0)) {
  let t = start;
  return { now: () => t, set: (d: Date) => { t = d; } };
}

function policy(p: Partial<BudgetPolicy> & { limits: BudgetPolicy['limits'] }): BudgetPolicy {
  return { warnAt: 0.8, action: 'warn', ...p };
}

function decision(location: 'local' | 'cloud', usd: number, wh = 0.3, tokens = 1000): AdmitInput {
  return { location, estimate: { tokens: { input: tokens - 200, output: 200 }, energy: { wh }, cost: { usd } } };
}

function line(gate: BudgetGate, period: string, unit: string): BudgetLine {
  const l = gate.lines().find((x) => x.period === period && x.unit === unit);
  assert.ok(l, `no line ${period}.${unit}`);
  return l;
}

function admitted(a: ReturnType<BudgetGate['admit']>): Reservation {
  assert.equal(a.verdict, 'admit', a.verdict === 'block' ? a.message : a.verdict === 'downgrade' ? a.reason : '');
  return (a as { reservation: Reservation }).reservation;
}

describe('budget/periods', () => {
  it('names day, ISO week (Monday) and month instances in local time', () => {
    const fri = new Date(2025, 2, 14, 23, 59);
    assert.equal(periodKey('day', fri), '2025-03-14');
    assert.equal(periodKey('week', fri), '2025-03-10');
    assert.equal(periodKey('month', fri), '2025-03');
    const sun = new Date(2025, 2, 16, 23, 59, 59);
    assert.equal(periodKey('week', sun), '2025-03-10', 'Sunday belongs to the week that began on Monday');
    assert.equal(periodKey('week', new Date(2025, 2, 17, 0, 0)), '2025-03-17');
    // A week that spans a month and a year boundary.
    assert.equal(periodKey('week', new Date(2026, 0, 1, 12)), '2025-12-29');
  });

  it('computes period starts and next starts', () => {
    const d = new Date(2025, 2, 14, 10);
    assert.equal(startOfPeriod('week', d).getTime(), new Date(2025, 2, 10).getTime());
    assert.equal(nextPeriodStart('week', d).getTime(), new Date(2025, 2, 17).getTime());
    assert.equal(nextPeriodStart('month', new Date(2025, 11, 31, 23)).getTime(), new Date(2026, 0, 1).getTime());
    assert.equal(nextPeriodStart('day', new Date(2025, 1, 28, 12)).getTime(), new Date(2025, 2, 1).getTime());
  });
});

describe('budget/BudgetGate', () => {
  it('has no lines without limits, and one line per limit with used, reserved and fraction', () => {
    const c = clock();
    assert.deepEqual(new BudgetGate(policy({ limits: {} }), { now: c.now }).lines(), []);
    const gate = new BudgetGate(policy({ limits: { day: { usd: 2, wh: 10 }, session: { tokens: 5000 } } }), { now: c.now });
    gate.record({ tokens: 1000, wh: 1, usd: 0.5 });
    assert.deepEqual(gate.lines(), [
      { period: 'session', unit: 'tokens', limit: 5000, used: 1000, reserved: 0, fraction: 0.2, level: 'ok' },
      { period: 'day', unit: 'wh', limit: 10, used: 1, reserved: 0, fraction: 0.1, level: 'ok' },
      { period: 'day', unit: 'usd', limit: 2, used: 0.5, reserved: 0, fraction: 0.25, level: 'ok' },
    ]);
  });

  it('moves ok -> warn at warnAt -> exceeded at the limit', () => {
    const c = clock();
    const gate = new BudgetGate(policy({ limits: { day: { usd: 2 } }, warnAt: 0.75 }), { now: c.now });
    gate.record({ tokens: 0, wh: 0, usd: 1.4 });
    assert.equal(gate.level(), 'ok');
    gate.record({ tokens: 0, wh: 0, usd: 0.1 }); // 1.5 = 75 %
    assert.equal(gate.level(), 'warn');
    gate.record({ tokens: 0, wh: 0, usd: 0.5 }); // exactly the limit
    assert.equal(gate.level(), 'exceeded');
    assert.equal(line(gate, 'day', 'usd').fraction, 1);
  });

  describe('actions', () => {
    function exceededGate(action: BudgetPolicy['action']) {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { day: { usd: 2 } }, action }), { now: c.now });
      gate.record({ tokens: 0, wh: 0, usd: 2.1 });
      return gate;
    }

    it('warn: admits cloud requests when exceeded; routing is unchanged', () => {
      const gate = exceededGate('warn');
      admitted(gate.admit(decision('cloud', 0.05)));
      assert.deepEqual(gate.routingState(), { preferLocal: false, blockCloud: false, level: 'exceeded' });
    });

    it('preferLocal: downgrades cloud requests, admits local ones, and admits cloud when no local model can take it', () => {
      const gate = exceededGate('preferLocal');
      assert.deepEqual(gate.routingState(), { preferLocal: true, blockCloud: false, level: 'exceeded' });
      const a = gate.admit(decision('cloud', 0.05));
      assert.equal(a.verdict, 'downgrade');
      if (a.verdict === 'downgrade') {
        assert.equal(a.reason, 'Today\'s cost budget of $2.00 is used up ($2.10 used, about $0.05 needed), so requests go to local models (rightsize.budget.action is "preferLocal").');
      }
      admitted(gate.admit(decision('local', 0.0001)));
      admitted(gate.admit(decision('cloud', 0.05), { noLocalAlternative: true }));
      assert.equal(gate.inFlight(), 2);
    });

    it('block: refuses cloud requests with a message naming the limit, its use and how to raise it; admits local', () => {
      const gate = exceededGate('block');
      assert.deepEqual(gate.routingState(), { preferLocal: false, blockCloud: true, level: 'exceeded' });
      const a = gate.admit(decision('cloud', 0.05));
      assert.equal(a.verdict, 'block');
      if (a.verdict === 'block') {
        assert.equal(
          a.message,
          "Rightsize blocked this cloud request: today's cost budget of $2.00 is used up: $2.10 used, and this request needs about $0.05. " +
            'Raise rightsize.budget.day.usd, pick a local model, or wait until midnight.',
        );
        assert.equal(a.lines.length, 1);
      }
      const r = admitted(gate.admit(decision('local', 0.0001, 0.02)));
      assert.equal(r.cloud, false);
      // noLocalAlternative does not lift a block.
      assert.equal(gate.admit(decision('cloud', 0.05), { noLocalAlternative: true }).verdict, 'block');
    });

    it('block: refuses a cloud request that would go past the limit even before it is exceeded', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { week: { usd: 2 } }, action: 'block' }), { now: c.now });
      gate.record({ tokens: 0, wh: 0, usd: 1.5 });
      assert.equal(gate.level(), 'ok');
      admitted(gate.admit(decision('cloud', 0.5))); // exactly reaches the limit: allowed
      const a = gate.admit(decision('cloud', 0.01));
      assert.equal(a.verdict, 'block');
      if (a.verdict === 'block') assert.match(a.message, /this week's cost budget of \$2\.00 would be exceeded by this request: \$1\.50 used \(\$0\.50 more in flight\)/);
    });

    it('block: a Wh limit used up by local requests stops cloud requests, while local ones go on', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { day: { wh: 1 } }, action: 'block' }), { now: c.now });
      for (let i = 0; i < 4; i++) {
        const r = admitted(gate.admit(decision('local', 0, 0.3)));
        gate.settle(r, { tokens: 1000, wh: 0.3, usd: 0 });
      }
      assert.equal(gate.level(), 'exceeded');
      const a = gate.admit(decision('cloud', 0.01, 0.2));
      assert.equal(a.verdict, 'block');
      if (a.verdict === 'block') assert.match(a.message, /today's energy budget of 1 Wh is used up: 1\.2 Wh used.*rightsize\.budget\.day\.wh/);
      admitted(gate.admit(decision('local', 0, 0.3)));
    });
  });

  describe('reservations', () => {
    it('two parallel cloud requests that each fit alone cannot both pass a hard limit', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { day: { usd: 2 } }, action: 'block' }), { now: c.now });
      const first = admitted(gate.admit(decision('cloud', 1.2)));
      assert.equal(line(gate, 'day', 'usd').reserved, 1.2);
      const second = gate.admit(decision('cloud', 1.2));
      assert.equal(second.verdict, 'block');
      if (second.verdict === 'block') assert.match(second.message, /\$0\.00 used \(\$1\.20 more in flight\), and this request needs about \$1\.20/);
      // Once the first is released (cancelled), the second fits.
      assert.equal(gate.release(first), true);
      admitted(gate.admit(decision('cloud', 1.2)));
    });

    it('the same race under preferLocal downgrades the second request', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { session: { tokens: 10000 } }, action: 'preferLocal' }), { now: c.now });
      admitted(gate.admit(decision('cloud', 0.01, 0.1, 6000)));
      assert.equal(gate.admit(decision('cloud', 0.01, 0.1, 6000)).verdict, 'downgrade');
    });

    it('settle moves the reservation to used with the actual amounts; release frees it; both only once', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { day: { usd: 10, tokens: 100000 } } }), { now: c.now });
      const a = admitted(gate.admit(decision('cloud', 0.4, 0.3, 5000)));
      const b = admitted(gate.admit(decision('cloud', 0.3, 0.3, 3000)));
      assert.deepEqual(a.amount, { tokens: 5000, wh: 0.3, usd: 0.4 });
      assert.ok(Math.abs(line(gate, 'day', 'usd').reserved - 0.7) < 1e-12);
      assert.equal(gate.settle(a, { tokens: 4200, wh: 0.25, usd: 0.35 }), true);
      let l = line(gate, 'day', 'tokens');
      assert.equal(l.used, 4200);
      assert.equal(l.reserved, 3000);
      assert.equal(gate.settle(a, { tokens: 4200, wh: 0.25, usd: 0.35 }), false, 'second settle is refused');
      assert.equal(line(gate, 'day', 'tokens').used, 4200, 'and counts nothing');
      assert.equal(gate.release(b), true);
      assert.equal(gate.release(b), false);
      l = line(gate, 'day', 'tokens');
      assert.equal(l.reserved, 0);
      assert.equal(l.used, 4200);
      assert.equal(line(gate, 'day', 'usd').used, 0.35);
      assert.equal(gate.inFlight(), 0);
    });

    it('never counts an unknown (NaN, infinite) amount as zero; negative amounts count as zero', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { day: { usd: 1, wh: 1 } }, action: 'block' }), { now: c.now });
      // An estimate that is unknown in a limited unit is over budget, not free.
      const blocked = gate.admit({ location: 'cloud', estimate: { tokens: { input: 10, output: 5 }, energy: { wh: 0.01 }, cost: { usd: Number.POSITIVE_INFINITY } } });
      assert.equal(blocked.verdict, 'block');
      assert.equal(gate.admit({ location: 'cloud', estimate: { tokens: { input: 10, output: 5 }, energy: { wh: Number.NaN }, cost: { usd: 0.01 } } }).verdict, 'block');
      // Unknown tokens have no limit here: admitted, reserved as 0.
      const r = admitted(gate.admit({ location: 'cloud', estimate: { tokens: { input: Number.NaN, output: -5 }, energy: { wh: 0.1 }, cost: { usd: 0.3 } } }));
      assert.deepEqual(r.amount, { tokens: 0, wh: 0.1, usd: 0.3 });
      // An unknown actual settles at the reservation's estimate (was: $0 for usd = Infinity).
      gate.settle(r, { tokens: -1, wh: Number.NaN, usd: Number.POSITIVE_INFINITY });
      assert.equal(line(gate, 'day', 'usd').used, 0.3);
      assert.equal(line(gate, 'day', 'wh').used, 0.1);
      assert.throws(() => gate.record({ tokens: 0, wh: 0, usd: Number.NaN }), RangeError);
      assert.equal(line(gate, 'day', 'usd').used, 0.3, 'a refused record changes nothing');
    });
  });

  describe('periods', () => {
    const limits = { session: { usd: 100 }, day: { usd: 100 }, week: { usd: 100 }, month: { usd: 100 } };
    const used = (g: BudgetGate) => Object.fromEntries(g.lines().map((l) => [l.period, l.used]));

    it('midnight resets the day only', () => {
      const c = clock(new Date(2025, 2, 12, 23, 59)); // Wednesday
      const gate = new BudgetGate(policy({ limits }), { now: c.now });
      gate.record({ tokens: 0, wh: 0, usd: 3 });
      c.set(new Date(2025, 2, 13, 0, 0, 1));
      assert.deepEqual(used(gate), { session: 3, day: 0, week: 3, month: 3 });
    });

    it('Monday midnight resets day and week; the 1st resets day and month', () => {
      const c = clock(new Date(2025, 2, 16, 23, 30)); // Sunday 16 March
      const gate = new BudgetGate(policy({ limits }), { now: c.now });
      gate.record({ tokens: 0, wh: 0, usd: 5 });
      c.set(new Date(2025, 2, 17, 0, 0)); // Monday
      assert.deepEqual(used(gate), { session: 5, day: 0, week: 0, month: 5 });
      gate.record({ tokens: 0, wh: 0, usd: 1 });
      c.set(new Date(2025, 2, 31, 23, 59)); // Monday 31 March: a new day and a new week
      gate.record({ tokens: 0, wh: 0, usd: 2 });
      c.set(new Date(2025, 3, 1, 0, 0)); // Tuesday 1 April: same ISO week as 31 March
      assert.deepEqual(used(gate), { session: 8, day: 0, week: 2, month: 0 });
    });

    it('a baseline counts in its own period instances only', () => {
      const c = clock(new Date(2025, 2, 14, 10)); // Friday
      const gate = new BudgetGate(policy({ limits }), { now: c.now });
      gate.record({ tokens: 0, wh: 0, usd: 1 });
      const totals = { day: { tokens: 0, wh: 0, usd: 2 }, week: { tokens: 0, wh: 0, usd: 7 }, month: { tokens: 0, wh: 0, usd: 20 } };
      gate.setBaseline(totals, new Date(2025, 2, 14, 9));
      assert.deepEqual(used(gate), { session: 1, day: 3, week: 8, month: 21 });
      // A baseline read yesterday does not count for today, but does for this week and month.
      gate.setBaseline(totals, new Date(2025, 2, 13, 22));
      assert.deepEqual(used(gate), { session: 1, day: 1, week: 8, month: 21 });
      // After the weekend the week's baseline has expired too.
      c.set(new Date(2025, 2, 17, 8));
      assert.deepEqual(used(gate), { session: 1, day: 0, week: 0, month: 21 });
    });

    it('record(at) counts in the periods that contain `at`', () => {
      const c = clock(new Date(2025, 2, 14, 10));
      const gate = new BudgetGate(policy({ limits }), { now: c.now });
      gate.record({ tokens: 0, wh: 0, usd: 4 }, new Date(2025, 2, 11, 12)); // Tuesday this week, before the session
      assert.deepEqual(used(gate), { session: 0, day: 0, week: 4, month: 4 });
      gate.record({ tokens: 0, wh: 0, usd: 1 }, new Date(2025, 1, 28, 12)); // last month
      assert.deepEqual(used(gate), { session: 0, day: 0, week: 4, month: 4 });
    });

    it('resetSession clears the session only; requests in flight settle into the new session', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits }), { now: c.now });
      gate.record({ tokens: 0, wh: 0, usd: 2 });
      const r = admitted(gate.admit(decision('cloud', 1)));
      c.set(new Date(2025, 2, 14, 11));
      gate.resetSession();
      assert.deepEqual(used(gate), { session: 0, day: 2, week: 2, month: 2 });
      assert.equal(line(gate, 'session', 'usd').reserved, 1);
      gate.settle(r, { tokens: 100, wh: 0.1, usd: 0.5 });
      assert.deepEqual(used(gate), { session: 0.5, day: 2.5, week: 2.5, month: 2.5 });
    });
  });

  describe('onDidChangeLevel', () => {
    it('fires once per crossing per period instance', () => {
      const c = clock(new Date(2025, 2, 14, 10));
      const gate = new BudgetGate(policy({ limits: { day: { usd: 1 } } }), { now: c.now });
      const events: LevelChange[] = [];
      gate.onDidChangeLevel((e) => events.push(e));
      const spend = (usd: number) => gate.record({ tokens: 0, wh: 0, usd });
      spend(0.5);
      assert.equal(events.length, 0);
      spend(0.35); // 85 %
      assert.deepEqual(events.map((e) => [e.level, e.period, e.unit, e.instance]), [['warn', 'day', 'usd', 'day:2025-03-14']]);
      spend(0.05);
      assert.equal(events.length, 1, 'still warn: no new event');
      spend(0.2); // 110 %
      assert.deepEqual(events.map((e) => e.level), ['warn', 'exceeded']);
      assert.equal(events[1].line.used, 1.1);
      spend(0.5);
      assert.equal(events.length, 2, 'still exceeded: no new event');
      // Next day: a new instance; going straight to exceeded fires once.
      c.set(new Date(2025, 2, 15, 9));
      spend(1.5);
      assert.deepEqual(events.slice(2).map((e) => [e.level, e.instance]), [['exceeded', 'day:2025-03-15']]);
    });

    it('fires again for a raised limit, not for the same limit in the same instance', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { day: { usd: 1 } } }), { now: c.now });
      const events: LevelChange[] = [];
      gate.onDidChangeLevel((e) => events.push(e));
      gate.record({ tokens: 0, wh: 0, usd: 1.2 });
      assert.deepEqual(events.map((e) => e.level), ['exceeded']);
      gate.setPolicy(policy({ limits: { day: { usd: 2 } } })); // raised: 60 %, ok
      assert.equal(events.length, 1);
      gate.record({ tokens: 0, wh: 0, usd: 0.5 }); // 85 % of the new limit
      gate.record({ tokens: 0, wh: 0, usd: 0.5 }); // 110 %
      assert.deepEqual(events.map((e) => [e.level, e.line.limit]), [['exceeded', 1], ['warn', 2], ['exceeded', 2]]);
      gate.setPolicy(policy({ limits: { day: { usd: 100 } } }));
      gate.setPolicy(policy({ limits: { day: { usd: 2 } } })); // back to the same limit: already notified
      assert.equal(events.length, 3);
    });

    it('fires for the session line again after a session reset, and survives a throwing listener', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { session: { tokens: 1000 } } }), { now: c.now });
      const seen: string[] = [];
      gate.onDidChangeLevel(() => { throw new Error('listener bug'); });
      const off = gate.onDidChangeLevel((e) => seen.push(`${e.level}@${e.instance}`));
      gate.record({ tokens: 1200, wh: 0, usd: 0 });
      gate.resetSession();
      gate.record({ tokens: 900, wh: 0, usd: 0 });
      assert.deepEqual(seen, ['exceeded@session:1', 'warn@session:2']);
      off();
      gate.record({ tokens: 900, wh: 0, usd: 0 });
      assert.equal(seen.length, 2, 'unsubscribed');
      assert.equal(line(gate, 'session', 'tokens').used, 1800);
    });

    it('fires when a baseline or a lower limit puts a line over', () => {
      const c = clock();
      const gate = new BudgetGate(policy({ limits: { month: { wh: 100 } } }), { now: c.now });
      const levels: string[] = [];
      gate.onDidChangeLevel((e) => levels.push(`${e.period}.${e.unit}:${e.level}`));
      gate.setBaseline({ day: { tokens: 0, wh: 5, usd: 0 }, week: { tokens: 0, wh: 20, usd: 0 }, month: { tokens: 0, wh: 90, usd: 0 } }, c.now());
      assert.deepEqual(levels, ['month.wh:warn']);
      gate.setPolicy(policy({ limits: { month: { wh: 100 }, week: { wh: 10 } } }));
      assert.deepEqual(levels, ['month.wh:warn', 'week.wh:exceeded']);
    });
  });
});
