// The "large context" raise measures what the conversation carries (the user's words, pasted and attached
// context, tool results), not the host's envelope. VS Code's Agent mode sends about 13k tokens of system
// prompt, environment blocks and 39 tool schemas with a one-line request; those must not count as context.
// Token counts here are the real tokenizer's over the whole request, as the chat door counts them.
import * as assert from 'node:assert/strict';
import { contextTokens, SIGNAL_RAISE, THRESHOLDS } from '../../../src/core/router/difficulty';
import { analyseRequest } from '../../../src/core/router/requirements';
import { sharedTokenCounter } from '../../../src/core/tokens';
import type { ChatMessage, ChatRequest } from '../../../src/core/types';
import { loadEnvelope } from '../../util/envelopeFixtures';

function request(messages: ChatMessage[], tools?: readonly unknown[]): ChatRequest {
  return { id: 'r', messages, tools: tools as ChatRequest['tools'], surface: 'chat', workspace: { id: 'w', name: 'W' }, session: 's' };
}

/** A JavaScript file of about `chars` characters. */
function file(chars: number): string {
  const lines: string[] = [];
  for (let i = 0, n = 0; n < chars; i++) {
    const line = `export function handler${i}(req, res) { return res.json({ id: req.params.id, total: ${i} }); }`;
    lines.push(line);
    n += line.length + 1;
  }
  return lines.join('\n');
}

/** The captured Agent-mode tool loop (request 2: the read_file result), its result replaced by `body`. */
function agentWithResult(body: string): { request: ChatRequest; tokens: number } {
  const captured = loadEnvelope('vscode-agent-rename-toolloop.json').requests[1];
  const messages = captured.messages.slice();
  const last = messages[messages.length - 1];
  const result = Array.isArray(last.content) ? last.content[0] : undefined;
  assert.ok(result && result.type === 'toolResult', 'the captured Agent request ends in a tool result');
  messages[messages.length - 1] = { role: last.role, content: [{ ...result, content: body }] };
  const r = request(messages, captured.tools);
  return { request: r, tokens: sharedTokenCounter().countMessages(messages, r.tools) };
}

/** The same instruction and file as a plain chat message. */
function plainWith(body: string): { request: ChatRequest; tokens: number } {
  const messages: ChatMessage[] = [{ role: 'user', content: `Rename the variable t to total in app.js\n\`\`\`js\n${body}\n\`\`\`` }];
  return { request: request(messages), tokens: sharedTokenCounter().countMessages(messages, undefined) };
}

const largeContext = (signals: readonly string[]): string | undefined => signals.find((s) => s.startsWith('largeContext'));

describe('router: large context is the conversation\'s material, not the host envelope', () => {
  it('the captured Agent request alone is ~13k tokens of host text around a one-line rename', () => {
    const q = loadEnvelope('vscode-agent-rename-toolloop.json').requests[0];
    const tokens = sharedTokenCounter().countMessages(q.messages, q.tools as ChatRequest['tools']);
    const r = analyseRequest(request(q.messages, q.tools), tokens);
    assert.ok(tokens > 12_000, `${tokens} tokens`);
    assert.ok(contextTokens(tokens, r.features.envelope.conversationChars) < 200, `${r.features.envelope.conversationChars} characters of the conversation's own`);
    assert.equal(largeContext(r.signals), undefined);
  });

  it('an 18k-token Agent request whose own material is a 4.7k-token file gets no large-context raise, like the same request in plain chat', () => {
    const body = file(18_000);
    const agent = agentWithResult(body);
    const plain = plainWith(body);
    assert.ok(agent.tokens >= THRESHOLDS.largeContextTokens, `${agent.tokens} tokens: over the threshold only with the host's text`);
    assert.ok(plain.tokens < THRESHOLDS.largeContextTokens, `${plain.tokens} tokens`);
    const a = analyseRequest(agent.request, agent.tokens);
    const p = analyseRequest(plain.request, plain.tokens);
    assert.equal(largeContext(a.signals), undefined, a.signals.join(' '));
    assert.equal(a.kind, 'rename');
    assert.equal(a.required, p.required, `${a.signals.join(' ')} vs ${p.signals.join(' ')}`);
  });

  it('a file of ~21k tokens raises the requirement inside the Agent envelope and in plain chat alike', () => {
    const body = file(80_000);
    const agent = agentWithResult(body);
    const plain = plainWith(body);
    const a = analyseRequest(agent.request, agent.tokens);
    const p = analyseRequest(plain.request, plain.tokens);
    const signal = largeContext(a.signals);
    assert.ok(signal?.endsWith(`+${SIGNAL_RAISE.largeContext}`), a.signals.join(' '));
    assert.ok(largeContext(p.signals)?.endsWith(`+${SIGNAL_RAISE.largeContext}`), p.signals.join(' '));
    // The measured size is the file's (~20k tokens at 4 characters each), not the request's 33k.
    const measured = Number(signal!.slice('largeContext:'.length, signal!.indexOf('+')));
    assert.ok(measured >= 19_000 && measured <= 21_000 && agent.tokens > measured + 12_000, `${measured} of ${agent.tokens} tokens`);
    assert.equal(a.required, p.required, `${a.signals.join(' ')} vs ${p.signals.join(' ')}`);
  });

  it('never counts more than the request\'s own input tokens', () => {
    assert.equal(contextTokens(1000, 400_000), 1000);
    assert.equal(contextTokens(90_000, 40_000), 10_000);
  });
});
