import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { claudeUsageOfLine, newClaudeFileState } from '../../../src/core/import/claudeCode';
import { codexUsageOfLine, CodexFileState } from '../../../src/core/import/codex';
import { CopilotSkip, copilotUsageOf, itemOfSdkJson, logsOfOtlp, spansOfOtlp, TelemetryItem } from '../../../src/core/import/copilotOtel';
import { decodeOtlpProtobuf } from '../../../src/core/import/otlpProtobuf';
import type { ImportedUsage } from '../../../src/core/import/types';
import { fixture, fixtureLines } from './helpers';

function claude(lines: string[]): ImportedUsage[] {
  const state = newClaudeFileState();
  return lines.map((l, i) => claudeUsageOfLine(l, state, 'f', i)).filter((u): u is ImportedUsage => u !== undefined);
}

function usages(items: TelemetryItem[]): { calls: ImportedUsage[]; skips: string[] } {
  const out = items.map(copilotUsageOf);
  return { calls: out.filter((u): u is ImportedUsage => typeof u === 'object'), skips: out.filter((u): u is CopilotSkip => typeof u === 'string') };
}

describe('import/Claude Code log lines', function () {
  it('reads every content block line of a real log, with the usage as Anthropic reported it', function () {
    const calls = claude(fixtureLines('claude-code', 'tool-use-cache.jsonl'));
    // Two responses, the first logged twice (text block, tool_use block) with one message id + request id.
    assert.deepEqual(calls.map((c) => c.key), [calls[0].key, calls[0].key, calls[2].key]);
    assert.notEqual(calls[0].key, calls[2].key);
    assert.match(calls[0].key, /^msg_.+:req_/);
    assert.deepEqual(calls[0].tokens, { input: 3451 + 15000 + 3000, cachedInput: 15000, cacheWrite: 3000, output: 14, reasoning: 0 });
    assert.deepEqual(calls[2].tokens, { input: 2997 + 18000 + 500, cachedInput: 18000, cacheWrite: 500, output: 6, reasoning: 0 });
    assert.equal(calls[0].model, 'claude-sonnet-4-5');
    assert.equal(calls[0].folder, '/tmp/cc1/proj');
    assert.ok(calls[0].durationMs !== undefined && calls[0].durationMs >= 0, 'timed from its api-request line');
  });

  it('skips <synthetic> error notices (no model ran) and lines ccusage rejects', function () {
    assert.equal(claude(fixtureLines('claude-code', 'unknown-model-error.jsonl')).length, 0);
    const ok = { timestamp: '2026-12-02T07:47:36.747Z', requestId: 'r1', message: { id: 'm1', model: 'claude-haiku-4-5', usage: { input_tokens: 5, output_tokens: 2 } } };
    assert.equal(claude([JSON.stringify(ok)]).length, 1);
    const variants: Array<[string, unknown]> = [
      ['speed null', { ...ok, message: { ...ok.message, usage: { ...ok.message.usage, speed: null } } }],
      ['cache tokens as text', { ...ok, message: { ...ok.message, usage: { ...ok.message.usage, cache_read_input_tokens: '3' } } }],
      ['timestamp without Z', { ...ok, timestamp: '2026-12-02T07:47:36' }],
      ['empty request id', { ...ok, requestId: '' }],
      ['content not a list', { ...ok, message: { ...ok.message, content: 'hi' } }],
    ];
    for (const [why, line] of variants) assert.equal(claude([JSON.stringify(line)]).length, 0, why);
    const noIds = { ...ok, requestId: undefined };
    const [u] = claude([JSON.stringify(noIds)]);
    assert.equal(u.noDedup, true, 'without both ids a line is not deduplicated (ccusage)');
  });
});

describe('import/Codex rollout lines', function () {
  it('reads one call per token_usage_record of a real rollout, model and folder from its context lines', function () {
    const state: CodexFileState = {};
    const calls = fixtureLines('codex', 'rollout-tool-call.jsonl').map((l) => codexUsageOfLine(l, state, 'f')).filter((u): u is ImportedUsage => u !== undefined);
    assert.equal(calls.length, 2, 'the token_count summaries are not counted again');
    assert.deepEqual(calls.map((c) => c.tokens), [
      { input: 9533, cachedInput: 4000, cacheWrite: 0, output: 24, reasoning: 6 },
      { input: 9589, cachedInput: 6000, cacheWrite: 0, output: 5, reasoning: 0 },
    ]);
    assert.equal(calls[0].model, 'gpt-5');
    assert.equal(calls[0].folder, '/tmp/cx1/proj');
    assert.match(calls[0].key, /:resp_/);
  });

  it('falls back to token_count events in older rollouts, skipping a repeated total', function () {
    const lines = fixtureLines('codex', 'rollout-tool-call.jsonl').filter((l) => !l.includes('"type":"token_usage_record"'));
    const tokenCount = lines.filter((l) => l.includes('"type":"token_count"')).pop()!; // Codex repeats the last one when nothing was used
    const state: CodexFileState = {};
    const calls = [...lines, tokenCount].map((l) => codexUsageOfLine(l, state, 'f')).filter((u): u is ImportedUsage => u !== undefined);
    assert.deepEqual(calls.map((c) => c.tokens.input), [9533, 9589]);
  });

  it('meters a rollout of a local provider (codex --oss) as a local model', function () {
    const state: CodexFileState = {};
    codexUsageOfLine(JSON.stringify({ timestamp: '2026-12-02T07:49:11.045Z', type: 'session_meta', payload: { id: 's', cwd: '/p', model_provider: 'ollama' } }), state, 'f');
    codexUsageOfLine(JSON.stringify({ timestamp: '2026-12-02T07:49:11.045Z', type: 'turn_context', payload: { model: 'gpt-oss:20b' } }), state, 'f');
    const u = codexUsageOfLine(JSON.stringify({ timestamp: '2026-12-02T07:49:12.000Z', type: 'token_usage_record', payload: { response_id: 'r', usage: { input_tokens: 100, output_tokens: 10 } } }), state, 'f') as ImportedUsage;
    assert.equal(u.provider, 'ollama');
    assert.equal(u.model, 'gpt-oss:20b');
  });
});

describe('import/Copilot Chat telemetry', function () {
  it('finds nothing to import in a turn Rightsize served (file exporter, OTLP JSON and protobuf)', function () {
    const file = fixtureLines('copilot-otel', 'rightsize-turn.file-exporter.jsonl').map((l) => itemOfSdkJson(JSON.parse(l))).filter((i): i is TelemetryItem => i !== undefined);
    const json = spansOfOtlp(JSON.parse(fs.readFileSync(fixture('copilot-otel', 'rightsize-turn.traces.json'), 'utf8')));
    const pb = spansOfOtlp(decodeOtlpProtobuf('traces', fs.readFileSync(fixture('copilot-otel', 'rightsize-turn.traces.pb'))));
    const pbLogs = logsOfOtlp(decodeOtlpProtobuf('logs', fs.readFileSync(fixture('copilot-otel', 'rightsize-turn.logs.pb'))));
    for (const [what, items] of [['file', file], ['json', json], ['protobuf', pb], ['protobuf logs', pbLogs]] as const) {
      assert.ok(items.length > 0, `${what}: items decoded`);
      const { calls, skips } = usages(items);
      assert.equal(calls.length, 0, `${what}: no call imported`);
      assert.ok(skips.length > 0 && skips.every((s) => s === 'aggregate' || s === 'rightsize'), `${what}: ${skips.join(',')}`);
    }
    const agent = pb.find((i) => i.attributes['gen_ai.operation.name'] === 'invoke_agent')!;
    assert.equal(agent.attributes['gen_ai.request.model'], 'rightsize-auto');
    assert.match(agent.traceId ?? '', /^[0-9a-f]{32}$/, 'protobuf ids come out as hex, like OTLP/JSON');
    assert.ok(agent.endMs > agent.startMs!);
  });

  it("imports each chat span of Copilot's own models once, never the agent's sum", function () {
    const spans = spansOfOtlp(JSON.parse(fs.readFileSync(fixture('copilot-otel', 'copilot-models-turn.traces.json'), 'utf8')));
    const { calls, skips } = usages(spans);
    assert.deepEqual(skips, ['aggregate']);
    assert.deepEqual(calls.map((c) => [c.key, c.model, c.provider]), [['req-copilot-1', 'gpt-5-mini', 'copilot'], ['req-copilot-2', 'claude-sonnet-4-5', 'anthropic']]);
    assert.deepEqual(calls[0].tokens, { input: 12000, cachedInput: 8000, cacheWrite: 0, output: 300, reasoning: 64 });
    assert.deepEqual(calls[1].tokens, { input: 4100, cachedInput: 3000, cacheWrite: 1000, output: 120, reasoning: 0 });
    assert.equal(calls[0].durationMs, 2000);
    assert.equal(calls[0].ttftMs, 640);
    const logs = usages(logsOfOtlp(JSON.parse(fs.readFileSync(fixture('copilot-otel', 'copilot-models-turn.logs.json'), 'utf8'))));
    assert.deepEqual(logs.calls.map((c) => c.key), ['req-copilot-1'], 'the inference event has the span\'s response id');
    assert.deepEqual(logs.skips, ['aggregate']);
  });
});
