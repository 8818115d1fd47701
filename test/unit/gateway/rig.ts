// A gateway wired as the extension and `rightsize serve` wire it — the real pipeline, router, budget gate,
// meter and backends (the real `ollama` client, the OpenAI and Anthropic backends) — against the fake
// servers, with the records it writes collected. Shared by the gateway's unit tests and its benchmark.
import { AnthropicBackend } from '../../../src/core/backends/anthropicBackend';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { OpenAICompatibleBackend } from '../../../src/core/backends/openaiBackend';
import { BudgetGate } from '../../../src/core/budget/budgetGate';
import { Catalog } from '../../../src/core/catalog/catalog';
import { describeOllamaModel } from '../../../src/core/catalog/ollamaModels';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import { Gateway, GatewayOptions, startGateway } from '../../../src/core/gateway';
import type { PipelineSettings } from '../../../src/core/pipeline';
import { sharedTokenCounter } from '../../../src/core/tokens';
import type { BudgetPolicy, ModelSpec, UsageRecord } from '../../../src/core/types';
import { FakeAnthropic, FakeOllama, FakeOpenAI, startFakeAnthropic, startFakeOllama, startFakeOpenAI } from '../../fakes';

export const GATEWAY_TOKEN = 'rsk-gw-test-token-0123456789abcdef';
export const OPENAI_KEY = 'sk-test-openai-0000';
export const ANTHROPIC_KEY = 'sk-ant-test-0000';

export interface Fakes { ollama: FakeOllama; openai: FakeOpenAI; anthropic: FakeAnthropic }

export async function startFakes(tokensPerSecond = 20_000): Promise<Fakes> {
  const [ollama, openai, anthropic] = await Promise.all([
    startFakeOllama({ tokensPerSecond }), startFakeOpenAI({ tokensPerSecond }), startFakeAnthropic({ tokensPerSecond }),
  ]);
  return { ollama, openai, anthropic };
}

export async function closeFakes(f: Fakes | undefined): Promise<void> {
  if (!f) return;
  await Promise.all([f.ollama.close(), f.openai.close(), f.anthropic.close()]);
}

export interface RigOptions {
  budget?: Partial<BudgetPolicy>;
  settings?: Partial<PipelineSettings>;
  cloud?: string[];
  gateway?: Partial<GatewayOptions>;
  /** fetch used with a client's own credential (official endpoints). */
  fetch?: typeof fetch;
  /** Where records go besides `records` (the benchmark writes a real ledger). */
  append?(record: UsageRecord): void;
}

export interface GatewayRig {
  gateway: Gateway;
  records: UsageRecord[];
  candidates: ModelSpec[];
  settings: PipelineSettings;
  url: string;
  close(): Promise<void>;
}

export async function startRig(fakes: Fakes, o: RigOptions = {}): Promise<GatewayRig> {
  const catalog = Catalog.builtIn();
  const ollama = new OllamaBackend({ host: fakes.ollama.url });
  const found = await ollama.discoverModels();
  const local = found.map((f) => describeOllamaModel(f.tag, f.show, catalog)).filter((m) => m.location === 'local');
  const cloudIds = o.cloud ?? ['gpt-5-mini', 'gpt-5', 'claude-sonnet-4-5', 'claude-haiku-4-5'];
  const candidates = [...local, ...cloudIds.map((id) => catalog.get(id)!)];
  const openai = new OpenAICompatibleBackend({ baseUrl: `${fakes.openai.url}/v1`, apiKey: async () => OPENAI_KEY, provider: 'openai' });
  const anthropic = new AnthropicBackend({ baseUrl: fakes.anthropic.url, apiKey: async () => ANTHROPIC_KEY });
  const records: UsageRecord[] = [];
  const settings: PipelineSettings = { mode: 'suggest', objective: 'balanced', localOnly: false, estimate: defaultEstimateSettings(), referenceModel: '', ...o.settings };
  const gate = new BudgetGate({ limits: {}, warnAt: 0.8, action: 'warn', ...o.budget });
  const gateway = await startGateway({
    pipeline: {
      candidates: async () => candidates,
      backendFor: (m) => (m.provider === 'ollama' ? ollama : m.provider === 'anthropic' ? anthropic : openai),
      countInputTokens: (r, m) => sharedTokenCounter().countMessages(r.messages, r.tools, m?.tokenizer),
      gate,
      append: (r) => { records.push(r); o.append?.(r); },
      settings: () => settings,
    },
    workspace: () => ({ id: 'ws-gateway-test', name: 'gateway-test' }),
    session: () => 's-gateway-test',
    cloudModels: () => cloudIds,
    fetch: o.fetch,
  }, { port: 0, token: GATEWAY_TOKEN, ...o.gateway });
  return { gateway, records, candidates, settings, url: gateway.url, close: () => gateway.close() };
}

/** POSTs JSON to the gateway with the token (as `x-api-key` unless headers say otherwise). */
export function post(url: string, path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': GATEWAY_TOKEN }, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal });
}

/** Server-sent events of a response, parsed by eventsource-parser. */
export async function sseEvents(res: Response): Promise<Array<{ event?: string; data: any }>> {
  const { createParser } = await import('eventsource-parser');
  const out: Array<{ event?: string; data: any }> = [];
  const parser = createParser({ onEvent: (e) => { out.push({ event: e.event, data: e.data === '[DONE]' ? e.data : JSON.parse(e.data) }); } });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return out;
}

/** Waits until `records` has `n` entries (records are appended when a request ends). */
export async function waitForRecords(records: UsageRecord[], n: number, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (records.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Mocha hooks for a suite: the fakes and a gateway started once, the fakes reset and the records cleared
 * before each test. Read `fakes` and `rig` from the returned object inside tests.
 */
export function gatewaySuite(o: RigOptions = {}): { fakes: Fakes; rig: GatewayRig } {
  const s = {} as { fakes: Fakes; rig: GatewayRig };
  before(async () => {
    s.fakes = await startFakes();
    s.rig = await startRig(s.fakes, o);
  });
  after(async () => {
    await s.rig?.close();
    await closeFakes(s.fakes);
  });
  beforeEach(() => {
    for (const f of [s.fakes.ollama, s.fakes.openai, s.fakes.anthropic]) f.reset();
    s.rig.records.length = 0;
  });
  return s;
}
