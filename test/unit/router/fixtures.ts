// ModelSpec fixtures with realistic values (context windows, output caps, list prices as published in
// 2025; capability on the catalog's Aider-polyglot scale) and a simple physical estimator (local: device power x time; cloud: energy per token growing with
// active parameters, times PUE). The real catalog and estimator are tested in router.catalog.test.ts.
import type { ChatMessage, ChatRequest, Estimate, ModelSpec, TokenCounts, ToolDefinition } from '../../../src/core/types';
import { chatRequest, modelSpec } from '../../util/fixtures';
import { CONTEXT_CHARS_PER_TOKEN } from '../../../src/core/router/difficulty';

function spec(p: {
  id: string; location: 'local' | 'cloud'; provider: ModelSpec['provider']; activeB: [number, number]; totalB?: [number, number];
  ctx: number; maxOut: number; tools: boolean; score: number; prices?: [number, number]; remote?: boolean;
}): ModelSpec {
  const [amin, amax] = p.activeB;
  const [tmin, tmax] = p.totalB ?? p.activeB;
  return modelSpec(p.id, p.provider, {
    location: p.location,
    params: { totalB: { min: tmin, max: tmax }, activeB: { min: amin, max: amax } },
    contextTokens: p.ctx,
    maxOutputTokens: p.maxOut,
    tools: p.tools,
    capability: { score: p.score, benchmark: 'fixture', source: 'test fixture' },
    prices: p.prices ? { inputPerMTokUsd: p.prices[0], outputPerMTokUsd: p.prices[1], date: '2025-10-01', source: 'fixture' } : undefined,
    pue: p.location === 'cloud' ? 1.2 : undefined,
    remote: p.remote,
  });
}

export const M = {
  q15: spec({ id: 'qwen2.5-coder:1.5b', location: 'local', provider: 'ollama', activeB: [1.5, 1.5], ctx: 32768, maxOut: 8192, tools: true, score: 3.2 }),
  q3: spec({ id: 'qwen2.5-coder:3b', location: 'local', provider: 'ollama', activeB: [3.1, 3.1], ctx: 32768, maxOut: 8192, tools: true, score: 5.6 }),
  q7: spec({ id: 'qwen2.5-coder:7b', location: 'local', provider: 'ollama', activeB: [7.6, 7.6], ctx: 32768, maxOut: 8192, tools: true, score: 9.5 }),
  q14: spec({ id: 'qwen2.5-coder:14b', location: 'local', provider: 'ollama', activeB: [14.7, 14.7], ctx: 32768, maxOut: 8192, tools: true, score: 12.2 }),
  q3c30: spec({ id: 'qwen3-coder:30b', location: 'local', provider: 'ollama', activeB: [3.3, 3.3], totalB: [30.5, 30.5], ctx: 262144, maxOut: 65536, tools: true, score: 51.6 }),
  codellama: spec({ id: 'codellama:7b', location: 'local', provider: 'ollama', activeB: [6.7, 6.7], ctx: 16384, maxOut: 4096, tools: false, score: 0.5 }),
  gpt5: spec({ id: 'gpt-5', location: 'cloud', provider: 'openai', activeB: [100, 300], totalB: [600, 1800], ctx: 400000, maxOut: 128000, tools: true, score: 88, prices: [1.25, 10] }),
  gpt5mini: spec({ id: 'gpt-5-mini', location: 'cloud', provider: 'openai', activeB: [20, 60], totalB: [100, 300], ctx: 400000, maxOut: 128000, tools: true, score: 71, prices: [0.25, 2] }),
  sonnet: spec({ id: 'claude-sonnet-4-5', location: 'cloud', provider: 'anthropic', activeB: [100, 250], totalB: [400, 1000], ctx: 200000, maxOut: 64000, tools: true, score: 77.2, prices: [3, 15] }),
  opus: spec({ id: 'claude-opus-4-5', location: 'cloud', provider: 'anthropic', activeB: [200, 500], totalB: [1000, 3000], ctx: 200000, maxOut: 64000, tools: true, score: 80.9, prices: [5, 25] }),
  gpt4omini: spec({ id: 'gpt-4o-mini', location: 'cloud', provider: 'openai', activeB: [8, 20], totalB: [8, 40], ctx: 128000, maxOut: 16384, tools: true, score: 3.6, prices: [0.15, 0.6] }),
  remoteGptOss: spec({ id: 'gpt-oss:120b-cloud', location: 'local', provider: 'ollama', activeB: [5.1, 5.1], totalB: [117, 117], ctx: 131072, maxOut: 32768, tools: true, score: 52.6, remote: true }),
};

export const LOCAL = [M.q15, M.q7, M.q14];
export const CLOUD = [M.gpt5, M.gpt5mini, M.sonnet, M.opus];
export const MIXED = [...LOCAL, ...CLOUD];

const LOCAL_WATTS = 40; // laptop GPU under inference
const ELECTRICITY_USD_PER_KWH = 0.2;

/** Local: 40 W x (decode at 200/activeB tok/s + prefill 10x faster). Cloud: 0.01 J per B active per output token x PUE, prefill 1/20 of that. */
export function fixtureEstimate(m: ModelSpec, t: TokenCounts): Estimate {
  const active = (m.params.activeB.min + m.params.activeB.max) / 2;
  let wh: number, usd: number;
  if (m.location === 'local' && !m.remote) {
    const decodeTps = 200 / active;
    const seconds = (t.output + t.reasoning) / decodeTps + t.input / (decodeTps * 10);
    wh = (LOCAL_WATTS * seconds) / 3600;
    usd = (wh / 1000) * ELECTRICITY_USD_PER_KWH;
  } else {
    const jPerOut = 0.01 * active * (m.pue ?? 1.2);
    wh = ((t.output + t.reasoning) * jPerOut + t.input * (jPerOut / 20)) / 3600;
    const p = m.prices;
    usd = p ? (t.input * p.inputPerMTokUsd + (t.output + t.reasoning) * p.outputPerMTokUsd) / 1e6 : 0;
  }
  return {
    model: m.id,
    tokens: t,
    energy: { wh, low: wh * 0.5, high: wh * 2, method: 'fixture' },
    cost: { usd, method: 'fixture' },
    carbon: { g: (wh / 1000) * 473, gPerKwh: 473 },
  };
}

export function req(text: string, extra: Partial<ChatRequest> & { history?: ChatMessage[] } = {}): ChatRequest {
  const { history, ...rest } = extra;
  return chatRequest([...(history ?? []), { role: 'user', content: text }], { id: 'r1', ...rest });
}

/** A module of about `tokens` tokens (CONTEXT_CHARS_PER_TOKEN characters each), fenced, to paste into a
 * request: the "large context" signal measures what the conversation carries, so a test that routes 60k
 * tokens carries them. */
export function pastedModule(tokens: number): string {
  const lines: string[] = [];
  let chars = 0;
  for (let i = 0; chars < tokens * CONTEXT_CHARS_PER_TOKEN; i++) {
    const line = `export const value${i} = compute(${i}, options.factor);`;
    lines.push(line);
    chars += line.length + 1;
  }
  return '```ts\n' + lines.join('\n') + '\n```';
}

export const TOOLS: ToolDefinition[] = [
  { name: 'read_file', description: 'Read a file' },
  { name: 'edit_file', description: 'Edit a file' },
  { name: 'run_in_terminal', description: 'Run a command' },
  { name: 'grep_search', description: 'Search the workspace' },
];

/** An agent conversation: the task, then `rounds` assistant tool calls each answered by a tool result. */
export function agentRequest(task: string, rounds: number): ChatRequest {
  const messages: ChatMessage[] = [{ role: 'system', content: 'You are a coding agent.' }, { role: 'user', content: task }];
  for (let i = 0; i < rounds; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'toolCall', callId: `c${i}`, name: 'read_file', input: { path: `src/f${i}.ts` } }] });
    messages.push({ role: 'tool', content: [{ type: 'toolResult', callId: `c${i}`, content: `export const x${i} = ${i};` }] });
  }
  return { id: 'agent', messages, tools: TOOLS, surface: 'chat', workspace: { id: 'ws', name: 'ws' }, session: 's1' };
}

export const NODE_TRACE = `TypeError: Cannot read properties of undefined (reading 'id')
    at UserService.getUser (/app/src/services/user.ts:42:17)
    at async Router.handle (/app/node_modules/express/lib/router/index.js:284:7)
    at async /app/src/server.ts:88:5`;

export const PY_TRACE = `Traceback (most recent call last):
  File "/srv/app/main.py", line 12, in <module>
    main()
  File "/srv/app/main.py", line 8, in main
    total = sum(x.price for x in items)
AttributeError: 'NoneType' object has no attribute 'price'`;
