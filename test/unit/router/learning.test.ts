// Learning from the user: the pure state (learning.ts) and its use by the router as a floor.
import * as assert from 'node:assert/strict';
import {
  adjustment, BACKOFF_TTL_DAYS, describeLearning, emptyLearningState, FLOOR_TTL_DAYS, HOLD_INITIAL, HOLD_MAX,
  learnedAdjustments, LearningSignal, LearningState, MAX_FLOOR, parseLearningState, reset, update, withFloor,
} from '../../../src/core/router/learning';
import { decide, RouteOptions } from '../../../src/core/router/router';
import type { ChatRequest, TaskClass } from '../../../src/core/types';
import { fixtureEstimate, LOCAL, M } from './fixtures';

const WS = { id: 'ws-a', name: 'alpha' };
const OTHER = { id: 'ws-b', name: 'beta' };
const T0 = new Date('2026-03-02T10:00:00Z');
const DAY = 86_400_000;
const at = (days: number) => new Date(T0.getTime() + days * DAY);

function escalation(task: TaskClass, from: [string, number], to: [string, number], when = T0, workspace = WS): LearningSignal {
  return { kind: 'escalation', workspace, task, from: { model: from[0], score: from[1] }, to: { model: to[0], score: to[1] }, via: 'manualPick', at: when };
}
function acceptance(task: TaskClass, model: [string, number], when = T0, workspace = WS): LearningSignal {
  return { kind: 'acceptance', workspace, task, model: { model: model[0], score: model[1] }, at: when };
}
function apply(state: LearningState, ...signals: LearningSignal[]): LearningState {
  return signals.reduce((s, sig) => update(s, sig).state, state);
}

const q15: [string, number] = ['qwen2.5-coder:1.5b', 3.2];
const q7: [string, number] = ['qwen2.5-coder:7b', 9.5];
const q14: [string, number] = ['qwen2.5-coder:14b', 12.2];
const opus: [string, number] = ['claude-opus-4-5', 80.9];

describe('learning: state and update', () => {
  it('an escalation sets a floor just above the escalated model, not at what the user picked', () => {
    const s = apply(emptyLearningState(), escalation('test', q7, opus));
    const f = adjustment(s, WS.id, 'test', T0);
    assert.equal(f?.score, 9.6);
    assert.match(f!.reason, /^learned here: tests need ≥ 9\.6 \(answers escalated once, last from qwen2\.5-coder:7b; relaxes after 5 more accepted answers\)$/);
  });

  it('is per workspace and per task class', () => {
    const s = apply(emptyLearningState(), escalation('test', q7, opus));
    assert.equal(adjustment(s, OTHER.id, 'test', T0), undefined);
    assert.equal(adjustment(s, WS.id, 'fix', T0), undefined);
    const both = apply(s, escalation('test', q15, q7, T0, OTHER));
    assert.equal(adjustment(both, OTHER.id, 'test', T0)?.score, 3.3);
    assert.equal(adjustment(both, WS.id, 'test', T0)?.score, 9.6);
  });

  it('a manual pick that is not bigger is no escalation, and acceptance without a floor changes nothing', () => {
    const s0 = emptyLearningState();
    assert.equal(update(s0, escalation('test', q7, q7)).state, s0);
    assert.equal(update(s0, escalation('test', q7, q15)).state, s0);
    assert.equal(update(s0, acceptance('test', q7)).state, s0);
  });

  it('bounds: never above MAX_FLOOR, never above the picked model, never lowered by an escalation', () => {
    const high = apply(emptyLearningState(), escalation('design', opus, ['claude-opus-5-5', 88]));
    assert.equal(adjustment(high, WS.id, 'design', T0)?.score, MAX_FLOOR);
    const picked = apply(emptyLearningState(), escalation('test', [ 'a', 9.5 ], [ 'b', 9.55 ]));
    assert.ok(adjustment(picked, WS.id, 'test', T0)!.score <= 9.6);
    const kept = apply(emptyLearningState(), escalation('test', q14, opus), escalation('test', q7, opus));
    assert.equal(adjustment(kept, WS.id, 'test', T0)?.score, 12.3);
    assert.match(adjustment(kept, WS.id, 'test', T0)!.reason, /escalated 2×, last from qwen2\.5-coder:14b/);
  });

  it('acceptances release the floor after holdFor answers; repeated escalations double the hold up to HOLD_MAX', () => {
    let s = apply(emptyLearningState(), escalation('test', q7, opus));
    for (let i = 1; i < HOLD_INITIAL; i++) {
      s = apply(s, acceptance('test', q14));
      assert.equal(adjustment(s, WS.id, 'test', T0)?.score, 9.6, `still held after ${i}`);
    }
    assert.match(adjustment(s, WS.id, 'test', T0)!.reason, /relaxes after 1 more accepted answer\)/);
    const released = update(s, acceptance('test', q14));
    assert.equal(adjustment(released.state, WS.id, 'test', T0), undefined);
    assert.match(released.change!, /released after 5 accepted answers/);
    // Escalating again soon after a release holds twice as long.
    s = apply(released.state, escalation('test', q7, opus));
    assert.equal(describeLearning(s, WS.id, T0)[0].holdFor, HOLD_INITIAL * 2);
    for (let i = 0; i < 10; i++) s = apply(s, escalation('test', q7, opus));
    assert.equal(describeLearning(s, WS.id, T0)[0].holdFor, HOLD_MAX);
  });

  it('decays with time: the floor lapses after FLOOR_TTL_DAYS, the back-off after BACKOFF_TTL_DAYS', () => {
    const s = apply(emptyLearningState(), escalation('test', q7, opus), escalation('test', q7, opus));
    assert.equal(adjustment(s, WS.id, 'test', at(FLOOR_TTL_DAYS - 1))?.score, 9.6);
    assert.equal(adjustment(s, WS.id, 'test', at(FLOOR_TTL_DAYS + 1)), undefined);
    // Within the back-off window a new escalation doubles the hold (10 -> 20)…
    const soon = apply(s, escalation('test', q7, opus, at(FLOOR_TTL_DAYS + 1)));
    assert.equal(describeLearning(soon, WS.id, at(FLOOR_TTL_DAYS + 1))[0].holdFor, 20);
    // …after it, learning starts over.
    const late = apply(s, escalation('test', q7, opus, at(BACKOFF_TTL_DAYS + 1)));
    const v = describeLearning(late, WS.id, at(BACKOFF_TTL_DAYS + 1))[0];
    assert.equal(v.holdFor, HOLD_INITIAL);
    assert.equal(v.escalations, 1);
  });

  it('reset forgets one workspace or all', () => {
    const s = apply(emptyLearningState(), escalation('test', q7, opus), escalation('fix', q15, q7, T0, OTHER));
    const one = reset(s, WS.id);
    assert.equal(adjustment(one, WS.id, 'test', T0), undefined);
    assert.equal(adjustment(one, OTHER.id, 'fix', T0)?.score, 3.3);
    assert.deepEqual(reset(s).workspaces, {});
  });

  it('parses what it wrote, and drops or clamps what it did not', () => {
    const s = apply(emptyLearningState(), escalation('test', q7, opus), acceptance('test', q14));
    assert.deepEqual(parseLearningState(JSON.parse(JSON.stringify(s))), s);
    assert.deepEqual(parseLearningState({ v: 99, workspaces: {} }), emptyLearningState());
    assert.deepEqual(parseLearningState('garbage'), emptyLearningState());
    const tampered = parseLearningState({ v: 1, workspaces: { w: { name: 'w', updated: T0.toISOString(), tasks: {
      test: { floor: 1000, above: 'x', escalations: 1, accepted: 0, holdFor: 1e6, lastEscalation: T0.toISOString() },
      fix: { floor: 'high' },
      bogus: { floor: 5 },
    } } } });
    assert.equal(tampered.workspaces.w.tasks.test?.floor, MAX_FLOOR);
    assert.equal(tampered.workspaces.w.tasks.test?.holdFor, HOLD_MAX);
    assert.deepEqual(Object.keys(tampered.workspaces.w.tasks), ['test']);
  });

  it('withFloor: the higher of the learned floor and the extra one (the extra one on a tie)', () => {
    const s = apply(emptyLearningState(), escalation('test', q14, opus));
    const adj = learnedAdjustments(s, WS.id, T0);
    assert.equal(withFloor(adj, { score: 9.6, reason: 'retry' }).floorFor('test')?.score, 12.3);
    assert.equal(withFloor(adj, { score: 72, reason: 'retry' }).floorFor('test')?.score, 72);
    assert.equal(withFloor(undefined, { score: 3.3, reason: 'retry' }).floorFor('fix')?.reason, 'retry');
    assert.equal(withFloor(adj, { score: 12.3, reason: 'retry' }).floorFor('test')?.reason, 'retry', 'the extra floor on a tie');
  });
});

describe('learning: the router applies the floor', () => {
  const testRequest: ChatRequest = {
    id: 't', surface: 'chat', workspace: WS, session: 's',
    messages: [{ role: 'user', content: 'Write unit tests for this function:\n```js\nfunction add(a, b) { return a + b; }\n```' }],
  };
  const options = (learned?: RouteOptions['learned']): RouteOptions => ({
    candidates: LOCAL, objective: 'energy', localOnly: false, budget: { preferLocal: false, blockCloud: false },
    estimate: fixtureEstimate, learned,
  });

  it('without learning a small test goes to 7b; after an escalation from 7b it goes to the next model up and says why', () => {
    const before = decide(testRequest, 80, options());
    assert.equal(before.task, 'test');
    assert.equal(before.model, M.q7.id);
    assert.equal(before.learned, undefined);
    const s = apply(emptyLearningState(), escalation('test', [M.q7.id, M.q7.capability.score], [M.gpt5.id, M.gpt5.capability.score]));
    const after = decide(testRequest, 80, options(learnedAdjustments(s, WS.id, T0)));
    assert.equal(after.model, M.q14.id, 'the next bigger capable model, not the one the user picked');
    assert.equal(after.requiredCapability, 9.6);
    assert.match(after.reason, /; learned here: tests need ≥ 9\.6 \(answers escalated once, last from qwen2\.5-coder:7b/);
    assert.ok(after.signals.some((x) => x.startsWith('learned+')));
  });

  it('a floor below what the request needs anyway changes nothing and is not mentioned', () => {
    const s = apply(emptyLearningState(), escalation('test', [M.q15.id, 3.2], [M.q7.id, 9.5]));
    const d = decide(testRequest, 80, options(learnedAdjustments(s, WS.id, T0)));
    assert.equal(d.model, M.q7.id);
    assert.doesNotMatch(d.reason, /learned/);
    assert.equal(d.learned, undefined);
  });

  it('another workspace, and this one after reset, route as before', () => {
    const s = apply(emptyLearningState(), escalation('test', [M.q7.id, 9.5], [M.gpt5.id, 88]));
    assert.equal(decide(testRequest, 80, options(learnedAdjustments(s, OTHER.id, T0))).model, M.q7.id);
    assert.equal(decide(testRequest, 80, options(learnedAdjustments(reset(s, WS.id), WS.id, T0))).model, M.q7.id);
  });
});
