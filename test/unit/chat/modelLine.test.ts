// The answer's first line (which model answered, once per turn) and the usage part VS Code's chat reads.
import * as assert from 'node:assert/strict';
import { firstClause, modelLine, ModelLineTurns } from '../../../src/core/chat/modelLine';
import { decodeUsage, encodeUsage, USAGE_MIME_TYPE } from '../../../src/core/chat/usagePart';
import { Catalog } from '../../../src/core/catalog/catalog';
import { providerRequests } from '../../util/envelopes';

const catalog = Catalog.builtIn();
const local = catalog.get('qwen2.5-coder:7b', 'ollama')!;
const cloud = catalog.get('gpt-5-mini')!;
const [opening, continuation, followUp] = providerRequests('vscode-agent-rename-toolloop.json');

describe('chat: the model line', () => {
  const reason = 'Rename in one file: qwen2.5-coder:7b (local) is capable enough (score 9.5 ≥ 2) and uses 0.02 Wh vs 2.1 Wh on gpt-5; local preferred (within 3× of the cheapest cloud model by balanced)';

  it('names the model, where it runs and the reason\'s first clause', () => {
    const line = modelLine(local, 'auto', reason)!;
    assert.equal(line, '*qwen2.5-coder:7b · local — Rename in one file: it is capable enough (score 9.5 ≥ 2)*\n\n');
    assert.ok(!line.trim().includes('\n'), 'one line');
    assert.match(modelLine(cloud, 'auto', 'Design needs score 60, which no allowed model reaches: gpt-5-mini (cloud) is the most capable that fits (score 55) and costs $0.01')!, /^\*gpt-5-mini · cloud — Design needs score 60, which no allowed model reaches: it is the most capable that fits \(score 55\)\*/);
  });

  it('once per turn: the captured Agent turn shows it once (opening or continuation, whichever has the first text); the follow-up turn again', () => {
    const turns = new ModelLineTurns();
    const a = turns.lineFor(opening, local, 'auto', reason);
    assert.ok(a, 'due on the opening request');
    // The opening request only called a tool: nothing shown, so the continuation still owes the line.
    const b = turns.lineFor(continuation, local, 'auto', 'Tool-loop continuation: stays on qwen2.5-coder:7b (local), the model that started this turn');
    assert.ok(b);
    assert.equal(b.turnId, a.turnId, 'the continuation is the same turn');
    assert.equal(b.line, a.line, 'with the reason the turn\'s model was chosen for');
    turns.markShown(b.turnId);
    assert.equal(turns.lineFor(continuation, local, 'auto', reason), undefined, 'shown once: not again in this turn');
    assert.equal(turns.lineFor(opening, local, 'auto', reason), undefined);
    const c = turns.lineFor(followUp, local, 'auto', reason);
    assert.ok(c && c.turnId !== a.turnId, 'the follow-up turn has its own line');
    // The same words opening another chat (Copilot gives each chat its own _conversationId) are another turn.
    assert.ok(turns.lineFor({ ...opening, conversationId: 'chat-2' }, local, 'auto', reason), 'a new chat with the same words shows its line');
  });

  it('only for models the router chose', () => {
    assert.equal(modelLine(local, 'manual', 'You picked qwen2.5-coder:7b'), undefined);
    assert.equal(modelLine(local, 'suggest', 'You picked qwen2.5-coder:7b; …'), undefined);
  });

  it('a fallback says the first clause of why', () => {
    assert.equal(firstClause('qwen2.5-coder:7b failed (Ollama is not running). fell back to gpt-5-mini. Explain: …', cloud), 'qwen2.5-coder:7b failed (Ollama is not running)');
  });
});

describe('chat: the usage part', () => {
  it('carries input (cached included), cached, output and reasoning tokens in the shape Copilot Chat reads', () => {
    assert.equal(USAGE_MIME_TYPE, 'usage');
    const bytes = encodeUsage({ input: 17_000, cachedInput: 12_000, output: 300, reasoning: 40 });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), {
      prompt_tokens: 17_000, completion_tokens: 300, total_tokens: 17_300,
      prompt_tokens_details: { cached_tokens: 12_000 }, completion_tokens_details: { reasoning_tokens: 40 },
    });
    assert.deepEqual(decodeUsage(bytes), { input: 17_000, cachedInput: 12_000, output: 300, reasoning: 40 });
  });

  it('reads what Copilot\'s own models end with, and nothing else', () => {
    // As Copilot Chat 0.67 reports it for its models (APIUsage).
    const copilot = new TextEncoder().encode(JSON.stringify({ completion_tokens: 12, prompt_tokens: 4321, total_tokens: 4333, prompt_tokens_details: { cached_tokens: 4000 } }));
    assert.deepEqual(decodeUsage(copilot), { input: 4321, cachedInput: 4000, output: 12, reasoning: 0 });
    assert.equal(decodeUsage(new TextEncoder().encode('{"marker":"x"}')), undefined);
    assert.equal(decodeUsage(new TextEncoder().encode('not json')), undefined);
  });
});
