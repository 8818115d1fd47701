// Workbench helpers for the fake model servers running in their own process (test/fakes/cli.ts): script
// what the fake model answers, script a `read_file` tool loop, and read back exactly what reached the
// backend. Everything goes through the fakes' loopback control API (POST /_fake/script, GET /_fake/requests,
// POST /_fake/reset; test/fakes/README.md).
import type { FakeReply } from '../fakes/common';
import { DEFAULT_OLLAMA_MODELS, FakeOllamaModel } from '../fakes/fakeOllama';

/** A request as the fake recorded it (credentials shown as `<present>`). */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  at: number;
  status?: number;
  completed: boolean;
  /** Fake Ollama: the prompt exceeded the window and lost its start. */
  truncated?: { sentTokens: number; numCtx: number };
  /** The usage the fake reported (Ollama: prompt_eval_count, eval_count, …). */
  reported?: Record<string, unknown>;
}

/** Queues replies; each generation request consumes the next one (optionally only for `model`). */
export async function scriptReplies(fakeUrl: string, replies: FakeReply[]): Promise<void> {
  const res = await fetch(`${fakeUrl}/_fake/script`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(replies),
  });
  if (!res.ok) throw new Error(`scripting the fake at ${fakeUrl} failed: HTTP ${res.status}`);
}

/**
 * Scripts one Agent-mode tool loop on the fake: the first generation request is answered with a call of
 * VS Code's built-in `read_file` tool (no text), the second (which carries the tool's result) with `answer`.
 * `filePath` must be absolute (the tool's schema asks for it); `lines` is the range read.
 */
export async function scriptReadFileLoop(fakeUrl: string, filePath: string, answer: string, lines = 20): Promise<void> {
  await scriptReplies(fakeUrl, readFileLoop(filePath, answer, lines));
}

/** The replies of `scriptReadFileLoop`, for composing longer scripts. */
export function readFileLoop(filePath: string, answer: string, lines = 20): FakeReply[] {
  return [
    { chunks: [], toolCalls: [{ name: 'read_file', arguments: { filePath, startLine: 1, endLine: lines } }] },
    { text: answer },
  ];
}

/** Every request the fake received since the start (or the last reset), oldest first. */
export async function receivedRequests(fakeUrl: string, path?: string): Promise<ReceivedRequest[]> {
  const res = await fetch(`${fakeUrl}/_fake/requests`);
  if (!res.ok) throw new Error(`reading the fake's requests at ${fakeUrl} failed: HTTP ${res.status}`);
  const all = (await res.json()) as ReceivedRequest[];
  return path ? all.filter((r) => r.path === path) : all;
}

/** Generation requests (Ollama /api/chat and /api/generate, OpenAI chat completions, Anthropic messages). */
export async function generationRequests(fakeUrl: string): Promise<ReceivedRequest[]> {
  const all = await receivedRequests(fakeUrl);
  return all.filter((r) => r.method === 'POST' && GENERATION_PATHS.has(r.path.replace(/\/+$/, '')));
}

const GENERATION_PATHS = new Set(['/api/chat', '/api/generate', '/v1/chat/completions', '/chat/completions', '/v1/messages', '/v1/responses']);

/** Waits until the fake has received at least `count` generation requests (and answered them). */
export async function waitForGenerations(fakeUrl: string, count: number, timeoutMs = 60_000): Promise<ReceivedRequest[]> {
  const deadline = Date.now() + timeoutMs;
  let seen: ReceivedRequest[] = [];
  while (Date.now() < deadline) {
    seen = await generationRequests(fakeUrl);
    if (seen.length >= count && seen.slice(0, count).every((r) => r.completed)) return seen;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the fake at ${fakeUrl} received ${seen.length} generation request(s) within ${timeoutMs} ms, expected ${count}`);
}

/** Forgets recorded requests and queued replies. */
export async function resetFake(fakeUrl: string): Promise<void> {
  await fetch(`${fakeUrl}/_fake/reset`, { method: 'POST' });
}

/** The model of each generation request, in order (`/api/chat` bodies name it in `model`). */
export function modelsOf(requests: readonly ReceivedRequest[]): string[] {
  return requests.map((r) => String(r.body?.model ?? '?'));
}

/** Qwen2.5-Coder 32B as `ollama show` describes it (the 1.5b / 7b / 32b ladder). */
export const QWEN_CODER_32B: FakeOllamaModel = {
  name: 'qwen2.5-coder:32b', family: 'qwen2', parameterSize: '32.8B', quantization: 'Q4_K_M',
  sizeBytes: 19_851_336_256, parameterCount: 32_763_876_352, contextLength: 32_768,
  capabilities: ['completion', 'tools', 'insert'], license: 'Apache License 2.0',
};

/** qwen2.5-coder 1.5b, 7b and 32b: the local ladder a user with a decent GPU pulls. */
export const QWEN_CODER_LADDER: readonly FakeOllamaModel[] = [
  ...DEFAULT_OLLAMA_MODELS.filter((m) => m.name === 'qwen2.5-coder:1.5b' || m.name === 'qwen2.5-coder:7b'),
  QWEN_CODER_32B,
];
