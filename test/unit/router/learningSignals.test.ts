// Finding escalations and acceptances in conversations (learningSignals.ts), on the requests VS Code's
// Agent mode really sent (test/fixtures/envelopes), and the store that keeps what was learned.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { turnInfo } from '../../../src/core/conversation';
import { ConversationWatch, RETRY_WAIT_MS, TurnObservation } from '../../../src/core/router/learningSignals';
import { LearningStore } from '../../../src/core/router/learningStore';
import type { ChatRequest, TaskClass } from '../../../src/core/types';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../test/fixtures/envelopes/vscode-agent-rename-toolloop.json'), 'utf8')) as { requests: Array<{ provider: ChatRequest }> };
const [first, toolResult, followUp] = fixture.requests.map((r) => r.provider);
const WS = { id: 'ws-a', name: 'alpha' };
const T0 = new Date('2026-03-02T10:00:00Z');

function seen(request: ChatRequest, auto: boolean, model: [string, number], task: TaskClass = 'refactor', at = T0): TurnObservation {
  const t = turnInfo(request);
  return { conversationId: t.conversationId, turnId: t.turnId, continuation: t.continuation, workspace: WS, auto, model: { model: model[0], score: model[1] }, task, at };
}
const q15: [string, number] = ['qwen2.5-coder:1.5b', 3.2];
const q7: [string, number] = ['qwen2.5-coder:7b', 9.5];

describe('learning signals: conversations VS Code sent', () => {
  it('the captured turns: request 2 continues turn 1, request 3 is a new turn of the same conversation', () => {
    const [a, b, c] = [first, toolResult, followUp].map(turnInfo);
    assert.equal(a.conversationId, c.conversationId);
    assert.equal(a.turnId, b.turnId);
    assert.ok(b.continuation);
    assert.notEqual(a.turnId, c.turnId);
  });

  it('Auto answers, the conversation goes on to Auto: one acceptance, and tool-loop continuations say nothing', () => {
    const w = new ConversationWatch();
    assert.deepEqual(w.observe(seen(first, true, q15)), []);
    assert.deepEqual(w.observe(seen(toolResult, true, q15)), []);
    const s = w.observe(seen(followUp, true, q15));
    assert.equal(s.length, 1);
    assert.equal(s[0].kind, 'acceptance');
    assert.equal(s[0].kind === 'acceptance' && s[0].model.model, q15[0]);
  });

  it('the next turn on a bigger model picked by hand: an escalation from Auto\'s model to it, once', () => {
    const w = new ConversationWatch();
    w.observe(seen(first, true, q15, 'refactor'));
    const s = w.observe(seen(followUp, false, q7, 'document'));
    assert.equal(s.length, 1);
    const e = s[0];
    assert.ok(e.kind === 'escalation');
    assert.equal(e.task, 'refactor', 'the class of the Auto answer that was not good enough');
    assert.deepEqual([e.from.model, e.to.model, e.via], [q15[0], q7[0], 'manualPick']);
    assert.deepEqual(w.observe(seen(followUp, false, q7)), [], 'no second signal for the same answer');
  });

  it('the same turn re-sent with a bigger model (the chat\'s retry after switching models) is an escalation too', () => {
    const w = new ConversationWatch();
    w.observe(seen(first, true, q15));
    const s = w.observe(seen(first, false, q7));
    assert.equal(s[0]?.kind, 'escalation');
  });

  it('re-sent to Auto, or to a model that is not bigger: no signal yet', () => {
    const w = new ConversationWatch();
    w.observe(seen(first, true, q7));
    assert.deepEqual(w.observe(seen(first, true, q7)), []);
    assert.deepEqual(w.observe(seen(first, false, q15)), []);
    assert.equal(w.observe(seen(followUp, true, q7))[0]?.kind, 'acceptance');
  });

  it('a manual next turn that is not bigger accepts the Auto answer', () => {
    const w = new ConversationWatch();
    w.observe(seen(first, true, q7));
    assert.equal(w.observe(seen(followUp, false, q15))[0]?.kind, 'acceptance');
  });

  it('retry: escalates the latest Auto turn and puts a floor on the retried turn and its continuations only', () => {
    const w = new ConversationWatch();
    w.observe(seen(first, true, q7));
    const turn = w.lastAutoTurn();
    assert.equal(turn?.model.model, q7[0]);
    const sig = w.retry(turn!, { model: 'qwen2.5-coder:14b', score: 12.2 }, T0);
    assert.ok(sig.kind === 'escalation' && sig.via === 'retryCommand');
    assert.equal(w.lastAutoTurn(), undefined, 'one retry per answer');
    const [a, c] = [first, followUp].map(turnInfo);
    const floor = w.floorFor(c.conversationId, c.turnId, T0);
    assert.equal(floor?.score, 9.6);
    assert.match(floor!.reason, /retry with a bigger model than qwen2\.5-coder:7b/);
    assert.equal(w.floorFor(c.conversationId, c.turnId, new Date(T0.getTime() + 1000))?.score, 9.6, 'the same turn again (a continuation)');
    assert.equal(w.floorFor(a.conversationId, a.turnId, T0), undefined, 'another turn ends it');
    assert.equal(w.floorFor(c.conversationId, c.turnId, T0), undefined);
    assert.deepEqual(w.observe(seen(followUp, true, ['qwen2.5-coder:14b', 12.2])), [], 'the retried answer is no acceptance of the rejected one');
  });

  it('retry: the floor waits RETRY_WAIT_MS for its request, and not for other conversations', () => {
    const w = new ConversationWatch();
    w.observe(seen(first, true, q7));
    w.retry(w.lastAutoTurn()!, { model: 'b', score: 12 }, T0);
    assert.equal(w.floorFor('c.other', 't.x', T0), undefined);
    const c = turnInfo(followUp);
    assert.equal(w.floorFor(c.conversationId, c.turnId, new Date(T0.getTime() + RETRY_WAIT_MS + 1)), undefined);
  });
});

describe('learning store: a local JSON file', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-learn-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const escalate = (task: TaskClass = 'test') => ({ kind: 'escalation' as const, workspace: WS, task, from: { model: q7[0], score: q7[1] }, to: { model: 'gpt-5', score: 88 }, via: 'manualPick' as const, at: new Date() });

  it('persists across instances (another window, a restart) and resets', () => {
    const file = path.join(dir, 'sub', 'learned-routing.json');
    const a = new LearningStore(file);
    assert.match(a.record(escalate())!, /tests need ≥ 9\.6/);
    const b = new LearningStore(file);
    assert.equal(b.adjustments(WS.id).floorFor('test')?.score, 9.6);
    assert.equal(b.describe(WS.id)[0].summary, 'tests need ≥ 9.6');
    b.reset(WS.id);
    assert.equal(a.adjustments(WS.id).floorFor('test'), undefined, 'a sees b\'s reset');
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  });

  it('a corrupt file is moved aside with a warning and learning starts over', () => {
    const file = path.join(dir, 'learned-routing.json');
    fs.writeFileSync(file, '{not json');
    const warnings: string[] = [];
    const s = new LearningStore(file, (m) => warnings.push(m));
    assert.equal(s.adjustments(WS.id).floorFor('test'), undefined);
    assert.ok(fs.existsSync(`${file}.corrupt`));
    assert.match(warnings[0], /not valid JSON/);
    s.record(escalate());
    assert.equal(new LearningStore(file).adjustments(WS.id).floorFor('test')?.score, 9.6);
  });
});
