// The same plain request is classified the same inside every captured envelope: task cues come from the
// user's words, never from the host's system prompt, reminders, environment blocks or tool schemas.
import * as assert from 'node:assert/strict';
import { analyseRequest } from '../../../src/core/router/requirements';
import type { ChatRequest } from '../../../src/core/types';
import { envelopeFiles, loadEnvelope } from '../../util/envelopeFixtures';
import { chatRequest } from '../../util/fixtures';

/** Tokens passed to every analysis, so only the request's content differs (size is the token count's job). */
const TOKENS = 1000;

function request(messages: ChatRequest['messages'], tools?: readonly unknown[], suffix?: string): ChatRequest {
  return chatRequest(messages, {
    id: 'r', tools: tools as ChatRequest['tools'], workspace: { id: 'w', name: 'W' }, session: 's',
    ...(suffix !== undefined ? { suffix } : {}),
  });
}

function plain(words: string) {
  return analyseRequest(request([{ role: 'user', content: words }]), TOKENS);
}

describe('router: the same request inside every captured envelope', () => {
  const seen: string[] = [];
  for (const file of envelopeFiles()) {
    const fx = loadEnvelope(file);
    if (fx.prompts.length === 0) continue; // FIM: no words (below)
    it(`${file}: each request is classified as its plain words are, with the same required capability`, () => {
      fx.requests.forEach((q, i) => {
        const got = analyseRequest(request(q.messages, q.tools), TOKENS);
        const words = fx.prompts[got.features.userTurns - 1];
        const want = plain(words);
        assert.equal(got.kind, want.kind, `${file} request ${i}: ${got.signals.join(' ')}`);
        assert.equal(got.required, want.required, `${file} request ${i}: ${got.signals.join(' ')} vs ${want.signals.join(' ')}`);
        seen.push(`${words} -> ${got.kind}`);
      });
    });
  }

  it('the rename is a rename everywhere, the design question a design question, the follow-up a comment', () => {
    assert.equal(plain('Rename the variable t to total in app.js').kind, 'rename');
    assert.equal(plain('Rename the variable t to total').kind, 'rename');
    assert.equal(plain(loadEnvelope('vscode-agent-design.json').prompts[0]).kind, 'design');
    assert.equal(plain('Also add a comment above it that says what total holds').kind, 'document');
    assert.ok(seen.length >= 12, `classified ${seen.length} captured requests`);
  });

  it('FIM: a completion, whatever the code says', () => {
    const q = loadEnvelope('ollama-fim-generate.json').requests[0];
    assert.equal(analyseRequest(request(q.messages, q.tools, q.suffix), TOKENS).kind, 'completion');
  });

  it('host text never lends its task words: a reminder about security and performance does not make an explanation harder', () => {
    const host = '<system-reminder>Fix security vulnerabilities, optimise performance, think step by step, write unit tests, update the docs.</system-reminder>';
    const inside = analyseRequest(request([
      { role: 'system', content: 'You are Claude Code, an agent. Review for race conditions and deadlocks.' },
      { role: 'user', content: [{ type: 'text', text: host }, { type: 'text', text: 'Explain what this regex matches' }] },
    ]), TOKENS);
    const alone = plain('Explain what this regex matches');
    assert.equal(inside.kind, 'explain');
    assert.equal(inside.required, alone.required);
    assert.deepEqual(inside.difficultyNames, []);
  });

  it('pasted code is context: its identifiers do not count as the user asking for security or concurrency', () => {
    const code = '```js\nconst authToken = crypto.randomUUID();\nmutex.lock(); // race\n```';
    const d = analyseRequest(request([{ role: 'user', content: `Rename authToken to sessionToken\n${code}` }]), TOKENS);
    assert.equal(d.kind, 'rename');
    assert.deepEqual(d.difficultyNames, []);
  });

  it('a design question that asks for distributed-systems properties needs a frontier model; the same question without them does not', () => {
    const asked = loadEnvelope('vscode-agent-design.json').requests[0];
    const d = analyseRequest(request(asked.messages, asked.tools), TOKENS);
    assert.equal(d.kind, 'design');
    assert.ok(d.difficultyNames.includes('distributed'), d.signals.join(' '));
    assert.ok(d.required >= 77, `required ${d.required}`);
    const plainDesign = plain('Design a plugin system for our editor and explain the trade-offs.');
    assert.equal(plainDesign.kind, 'design');
    assert.ok(plainDesign.required < 77, `required ${plainDesign.required}`);
    assert.ok(!plainDesign.difficultyNames.includes('distributed'));
  });
});
