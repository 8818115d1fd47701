import * as assert from 'node:assert/strict';
import { aggregate, periodRange } from '../../../src/core/report';
import type { UsageRecord } from '../../../src/core/types';
import { generateHistory, makeRecord } from '../../util/recordFactory';
import { assertClose, withTimeZone } from './helpers';

const sum = (rs: UsageRecord[], f: (r: UsageRecord) => number): number => rs.reduce((a, r) => a + f(r), 0);

describe('report/periodRange (America/New_York, a DST week)', () => {
  withTimeZone('America/New_York');
  // Wednesday 2025-03-12 11:00 EDT. DST began Sunday 2025-03-09 (EST −5 → EDT −4).
  const now = new Date('2025-03-12T15:00:00.000Z');
  const iso = (r: { start: Date; end: Date }): [string, string] => [r.start.toISOString(), r.end.toISOString()];

  it('gives local days, ISO weeks, months, the last full week and the last 30 days', () => {
    assert.deepEqual(iso(periodRange('day', now)), ['2025-03-12T04:00:00.000Z', '2025-03-13T04:00:00.000Z']);
    assert.deepEqual(iso(periodRange('week', now)), ['2025-03-10T04:00:00.000Z', '2025-03-17T04:00:00.000Z']);
    assert.deepEqual(iso(periodRange('lastWeek', now)), ['2025-03-03T05:00:00.000Z', '2025-03-10T04:00:00.000Z'], 'a 167-hour week');
    assert.deepEqual(iso(periodRange('month', now)), ['2025-03-01T05:00:00.000Z', '2025-04-01T04:00:00.000Z']);
    assert.deepEqual(iso(periodRange('last30Days', now)), ['2025-02-11T05:00:00.000Z', '2025-03-13T04:00:00.000Z']);
    assert.deepEqual(iso(periodRange('week', now, 0)), ['2025-03-09T05:00:00.000Z', '2025-03-16T04:00:00.000Z'], 'weeks starting Sunday');
    assert.deepEqual(iso(periodRange('week', new Date('2025-03-17T03:30:00.000Z'))), ['2025-03-10T04:00:00.000Z', '2025-03-17T04:00:00.000Z'], 'Sunday 23:30 is still in the week');
    assert.deepEqual(iso(periodRange('week', now, 1, 'UTC')), ['2025-03-10T00:00:00.000Z', '2025-03-17T00:00:00.000Z']);
  });

  it('puts records in the local calendar day (or the UTC one when asked)', () => {
    const lateEvening = makeRecord({ ts: '2025-03-12T03:30:00.000Z' }); // Mar 11 23:30 EDT
    const afterMidnight = makeRecord({ ts: '2025-03-12T04:30:00.000Z' }); // Mar 12 00:30 EDT
    const local = aggregate([lateEvening, afterMidnight], { kind: 'day', now });
    assert.equal(local.totals.requests, 1);
    assert.deepEqual(local.days.map((d) => [d.day, d.requests]), [['2025-03-12', 1]]);
    const utc = aggregate([lateEvening, afterMidnight], { kind: 'day', now, timeZone: 'UTC' });
    assert.equal(utc.totals.requests, 2);
    const week = aggregate([lateEvening, afterMidnight], { kind: 'week', now });
    assert.deepEqual(week.days.map((d) => d.day), ['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14', '2025-03-15', '2025-03-16']);
    assert.deepEqual(week.days.map((d) => d.requests), [0, 1, 1, 0, 0, 0, 0]);
  });
});

describe('report/aggregate', () => {
  withTimeZone('Europe/Paris');
  const end = new Date('2025-06-20T10:00:00.000Z');
  const recs = generateHistory({ count: 4000, days: 75, end, seed: 11 });

  for (const [kind, workspace] of [['week', undefined], ['month', 'ws-beta'], ['last30Days', undefined], ['lastWeek', 'ws-gamma']] as const) {
    it(`sums ${kind}${workspace ? ` for ${workspace}` : ''} exactly as an independent computation does`, () => {
      const { start, end: stop } = periodRange(kind, end);
      const inScope = recs.filter((r) => Date.parse(r.ts) >= start.getTime() && Date.parse(r.ts) < stop.getTime() && (!workspace || r.workspace.id === workspace));
      assert.ok(inScope.length > 50);
      const rep = aggregate(recs, { kind, now: end, workspace, topN: 7 });
      assert.equal(rep.period.start, start.toISOString());
      assert.equal(rep.period.end, stop.toISOString());
      assert.equal(rep.workspace, workspace);
      const t = rep.totals;
      assert.equal(t.requests, inScope.length);
      assert.equal(t.tokens.input, sum(inScope, (r) => r.tokens.input));
      assert.equal(t.tokens.cachedInput, sum(inScope, (r) => r.tokens.cachedInput));
      assert.equal(t.tokens.output, sum(inScope, (r) => r.tokens.output));
      assert.equal(t.tokens.reasoning, sum(inScope, (r) => r.tokens.reasoning));
      assertClose(t.wh, sum(inScope, (r) => r.energy.wh), 'wh');
      assertClose(t.whLow, sum(inScope, (r) => r.energy.low), 'whLow');
      assertClose(t.whHigh, sum(inScope, (r) => r.energy.high), 'whHigh');
      assertClose(t.usd, sum(inScope, (r) => r.cost.usd), 'usd');
      assertClose(t.gco2e, sum(inScope, (r) => r.carbon.g), 'gco2e');
      const local = inScope.filter((r) => r.model.location === 'local');
      assert.equal(t.localRequests, local.length);
      assertClose(t.localWh, sum(local, (r) => r.energy.wh), 'localWh');
      assertClose(t.cloudWh, sum(inScope.filter((r) => r.model.location === 'cloud'), (r) => r.energy.wh), 'cloudWh');
      const withCf = inScope.filter((r) => r.counterfactual);
      assert.ok(withCf.length > 0 && withCf.length < inScope.length);
      assertClose(t.savedWh, sum(withCf, (r) => r.counterfactual!.wh - r.energy.wh), 'savedWh');
      assertClose(t.savedUsd, sum(withCf, (r) => r.counterfactual!.usd - r.cost.usd), 'savedUsd');

      // days: every calendar day of the period, each with its own sums and per-model split
      const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' });
      const dayOf = new Map(inScope.map((r) => [r, fmt.format(new Date(r.ts))]));
      assert.equal(rep.days.length, Math.round((stop.getTime() - start.getTime()) / 86_400_000));
      for (const d of rep.days) {
        const rs = inScope.filter((r) => dayOf.get(r) === d.day);
        assert.equal(d.requests, rs.length, d.day);
        assertClose(d.usd, sum(rs, (r) => r.cost.usd), `${d.day}.usd`);
        for (const [model, bm] of Object.entries(d.byModel)) {
          const ms = rs.filter((r) => r.model.id === model);
          assert.equal(bm.requests, ms.length);
          assertClose(bm.wh, sum(ms, (r) => r.energy.wh), `${d.day}.${model}.wh`);
        }
        assert.equal(Object.keys(d.byModel).length, new Set(rs.map((r) => r.model.id)).size);
      }
      // models, most expensive first
      assert.deepEqual(rep.models.map((m) => m.model).sort(), [...new Set(inScope.map((r) => r.model.id))].sort());
      for (const m of rep.models) {
        const ms = inScope.filter((r) => r.model.id === m.model);
        assert.equal(m.requests, ms.length);
        assertClose(m.usd, sum(ms, (r) => r.cost.usd), `${m.model}.usd`);
        assert.equal(m.location, ms[0].model.location);
      }
      for (let i = 1; i < rep.models.length; i++) assert.ok(rep.models[i - 1].usd >= rep.models[i].usd);
      // top: the 7 most expensive by USD then Wh
      const expectedTop = [...inScope].sort((a, b) => b.cost.usd - a.cost.usd || b.energy.wh - a.energy.wh).slice(0, 7);
      assert.deepEqual(rep.top.map((x) => x.id), expectedTop.map((r) => r.id));
      assert.deepEqual(rep.top[0], { id: expectedTop[0].id, ts: expectedTop[0].ts, task: expectedTop[0].task, model: expectedTop[0].model.id, tokens: { input: expectedTop[0].tokens.input, output: expectedTop[0].tokens.output }, wh: expectedTop[0].energy.wh, usd: expectedTop[0].cost.usd });
      // missed savings (explicit estimates + per-token rates of the suggested model in scope)
      const missed = inScope.filter((r) => r.decision.mode === 'suggest' && !r.decision.followed);
      assert.ok(missed.length > 0);
      let n = 0, wh = 0, usd = 0;
      for (const r of missed) {
        const est = (r as UsageRecord & { suggestedEstimate?: { wh: number; usd: number } }).suggestedEstimate;
        if (est) { n++; wh += r.energy.wh - est.wh; usd += r.cost.usd - est.usd; continue; }
        const of = inScope.filter((x) => x.model.id === r.decision.suggested);
        const tokens = sum(of, (x) => x.tokens.input + x.tokens.output + x.tokens.reasoning);
        if (of.length === 0 || tokens === 0) continue;
        const rt = r.tokens.input + r.tokens.output + r.tokens.reasoning;
        n++;
        wh += r.energy.wh - (sum(of, (x) => x.energy.wh) / tokens) * rt;
        usd += r.cost.usd - (sum(of, (x) => x.cost.usd) / tokens) * rt;
      }
      assert.equal(rep.missedSavings.requests, n);
      assertClose(rep.missedSavings.wh, wh, 'missed.wh');
      assertClose(rep.missedSavings.usd, usd, 'missed.usd');
      assert.equal(rep.corruptLines, 0);
    });
  }

  it('derives a missing suggestion estimate from the suggested model\'s per-token rates', () => {
    const base = { ts: '2025-06-19T09:00:00.000Z', session: 's' };
    const small = (id: string, usd: number, wh: number) => makeRecord({ ...base, id, model: { id: 'small', provider: 'ollama', location: 'local' }, tokens: { input: 900, cachedInput: 0, output: 100, reasoning: 0, source: 'reported' }, cost: { usd, method: 'x' }, energy: { wh, low: wh, high: wh, method: 'x' }, counterfactual: undefined });
    const unfollowed = makeRecord({
      ...base, id: 'big', tokens: { input: 1500, cachedInput: 0, output: 500, reasoning: 0, source: 'reported' },
      cost: { usd: 0.5, method: 'x' }, energy: { wh: 3, low: 2, high: 4, method: 'x' },
      decision: { suggested: 'small', chosen: 'gpt-4o', mode: 'suggest', followed: false, reason: 'r' },
    });
    // small: 2 records, 2000 tokens, 0.004 USD and 0.2 Wh → 2e-6 USD and 1e-4 Wh per token
    const rep = aggregate([small('a', 0.001, 0.05), small('b', 0.003, 0.15), unfollowed], { kind: 'day', now: new Date('2025-06-19T12:00:00.000Z') });
    assert.equal(rep.missedSavings.requests, 1);
    assertClose(rep.missedSavings.usd, 0.5 - 2000 * 2e-6);
    assertClose(rep.missedSavings.wh, 3 - 2000 * 1e-4);
    const alone = aggregate([unfollowed], { kind: 'day', now: new Date('2025-06-19T12:00:00.000Z') });
    assert.deepEqual(alone.missedSavings, { requests: 0, wh: 0, usd: 0 }, 'no usage of the suggested model: no estimate');
    const explicit = aggregate([Object.assign({ ...unfollowed }, { suggestedEstimate: { model: 'small', wh: 0.25, usd: 0.01 } })], { kind: 'day', now: new Date('2025-06-19T12:00:00.000Z') });
    assertClose(explicit.missedSavings, { requests: 1, wh: 2.75, usd: 0.49 });
  });

  it('reports a session (the latest by default, optionally within a workspace)', () => {
    const latest = recs[recs.length - 1];
    const rep = aggregate(recs, { kind: 'session' });
    const rs = recs.filter((r) => r.session === latest.session);
    assert.equal(rep.period.kind, 'session');
    assert.equal(rep.totals.requests, rs.length);
    assert.equal(rep.period.start, rs[0].ts);
    assert.equal(rep.period.end, new Date(Date.parse(rs[rs.length - 1].ts) + 1).toISOString());
    const other = recs.filter((r) => r.workspace.id !== latest.workspace.id).pop()!;
    const inWs = aggregate(recs, { kind: 'session', workspace: other.workspace.id });
    assert.equal(inWs.totals.requests, recs.filter((r) => r.session === other.session).length);
    const named = aggregate(recs, { kind: 'session', session: recs[100].session });
    assert.equal(named.totals.requests, recs.filter((r) => r.session === recs[100].session).length);
    const none = aggregate([], { kind: 'session', now: end });
    assert.equal(none.totals.requests, 0);
    assert.deepEqual(none.days, []);
  });

  it('handles custom ranges, open at the start or not on day boundaries', () => {
    const start = new Date('2025-05-03T13:17:00.000Z');
    const stop = new Date('2025-05-09T08:00:00.000Z');
    const rep = aggregate(recs, { kind: 'custom', start, end: stop });
    const inScope = recs.filter((r) => Date.parse(r.ts) >= start.getTime() && Date.parse(r.ts) < stop.getTime());
    assert.equal(rep.totals.requests, inScope.length);
    assert.equal(rep.days[0].day, '2025-05-03');
    assert.equal(rep.days[rep.days.length - 1].day, '2025-05-09');
    const open = aggregate(recs, { kind: 'custom', now: end });
    assert.equal(open.totals.requests, recs.length);
    assert.equal(open.period.start, recs[0].ts);
    assert.equal(open.days.length, 76);
  });
});
