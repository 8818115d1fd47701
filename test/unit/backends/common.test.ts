// Shared backend helpers: Retry-After parsing, redaction, estimates, message conversion.
import * as assert from 'node:assert/strict';
import {
  estimateInputTokens, isConnectionError, parseGoDuration, redact, retryAfterSeconds,
} from '../../../src/core/backends/common';
import { toOllamaMessages } from '../../../src/core/backends/ollamaBackend';
import { toOpenAIMessages } from '../../../src/core/backends/openaiBackend';
import { req } from './helpers';

const h = (o: Record<string, string>): Headers => new Headers(o);

describe('backend helpers', () => {
  it('reads retry-after as seconds, an HTTP date, retry-after-ms, or OpenAI reset headers', () => {
    assert.equal(retryAfterSeconds(h({ 'retry-after': '20' })), 20);
    assert.equal(retryAfterSeconds(h({ 'retry-after': '1.2' })), 2);
    const now = Date.parse('2025-10-01T12:00:00Z');
    assert.equal(retryAfterSeconds(h({ 'retry-after': 'Wed, 01 Oct 2025 12:00:45 GMT' }), now), 45);
    assert.equal(retryAfterSeconds(h({ 'retry-after-ms': '1500', 'retry-after': '9' })), 2);
    assert.equal(retryAfterSeconds(h({ 'x-ratelimit-reset-requests': '1m30s', 'x-ratelimit-reset-tokens': '20ms' })), 90);
    assert.equal(retryAfterSeconds(h({})), undefined);
    assert.equal(retryAfterSeconds(h({ 'retry-after': 'soon' })), undefined);
  });

  it('parses Go-style durations', () => {
    assert.equal(parseGoDuration('6m0s'), 360);
    assert.equal(parseGoDuration('1h2m3.5s'), 3723.5);
    assert.equal(parseGoDuration('250ms'), 0.25);
    assert.equal(parseGoDuration('12 parsecs'), undefined);
    assert.equal(parseGoDuration(''), undefined);
  });

  it('redacts the secret, Bearer tokens and sk- keys, and nothing else', () => {
    assert.equal(redact('bad key abcd1234wxyz here', ['abcd1234wxyz']), 'bad key [redacted] here');
    assert.equal(redact('Authorization: Bearer tok.en-123', []), 'Authorization: Bearer [redacted]');
    assert.equal(redact('Incorrect API key provided: sk-proj-********abcd.', []), 'Incorrect API key provided: [redacted].');
    assert.equal(redact('context length exceeded: 130000 > 128000', ['abcd1234']), 'context length exceeded: 130000 > 128000');
  });

  it('estimates input tokens from the door\'s count, else from the characters sent', () => {
    assert.equal(estimateInputTokens(req([{ role: 'user', content: 'x'.repeat(400) }], { contextTokens: 7 })), 7);
    const est = estimateInputTokens(req([{ role: 'user', content: 'x'.repeat(400) }]));
    assert.equal(est, Math.ceil((400 + 16) / 4));
  });

  it('recognises connection failures through the cause chain', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    assert.equal(isConnectionError(refused), true);
    assert.equal(isConnectionError(new Error('model not found')), false);
  });

  it('converts a tool message without a known call: Ollama keeps it (no tool_name), OpenAI keeps the id', () => {
    const messages = [{ role: 'tool' as const, content: [{ type: 'toolResult' as const, callId: 'c9', content: 'out' }] }];
    assert.deepEqual(toOllamaMessages(messages), [{ role: 'tool', content: 'out' }]);
    assert.deepEqual(toOpenAIMessages(messages), [{ role: 'tool', tool_call_id: 'c9', content: 'out' }]);
  });

  it('marks tool errors in the result text for Ollama and OpenAI', () => {
    const messages = [
      { role: 'assistant' as const, content: [{ type: 'toolCall' as const, callId: 'c1', name: 'run', input: {} }] },
      { role: 'user' as const, content: [{ type: 'toolResult' as const, callId: 'c1', content: 'exit 1', isError: true }] },
    ];
    assert.deepEqual(toOllamaMessages(messages)[1], { role: 'tool', content: 'Error: exit 1', tool_name: 'run' });
    assert.deepEqual(toOpenAIMessages(messages)[1], { role: 'tool', tool_call_id: 'c1', content: 'Error: exit 1' });
  });
});
