// The captured request envelopes of test/fixtures/envelopes/, as core messages: VS Code files carry the
// ChatRequest Rightsize's chat provider built (`provider`); the others are converted from the wire body the
// fake server received (Anthropic Messages, OpenAI chat completions, Ollama /api/generate), the way a door
// would. Used by the envelope tests and the router bench.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChatMessage, MessagePart, ToolDefinition } from '../../src/core/types';

export const ENVELOPE_DIR = path.resolve(__dirname, '../../../test/fixtures/envelopes');

export interface CapturedRequest { messages: ChatMessage[]; tools?: readonly unknown[]; suffix?: string }
export interface CapturedEnvelope { file: string; mode?: string; prompts: string[]; requests: CapturedRequest[] }

interface FixtureFile {
  mode?: string;
  prompts: string[];
  requests: { backend: { path: string; body: Record<string, unknown> }; provider?: { messages: ChatMessage[]; tools?: ToolDefinition[] } }[];
}

export function loadEnvelope(file: string): CapturedEnvelope {
  const j = JSON.parse(fs.readFileSync(path.join(ENVELOPE_DIR, file), 'utf8')) as FixtureFile;
  return { file, mode: j.mode, prompts: j.prompts, requests: j.requests.map((r) => r.provider ?? fromWire(r.backend.path, r.backend.body)) };
}

export function envelopeFiles(): string[] {
  return fs.readdirSync(ENVELOPE_DIR).filter((f) => f.endsWith('.json')).sort();
}

type Json = Record<string, unknown>;

function fromWire(p: string, body: Json): CapturedRequest {
  if (p.startsWith('/api/generate')) {
    return { messages: [{ role: 'user', content: String(body.prompt ?? '') }], suffix: typeof body.suffix === 'string' ? body.suffix : undefined };
  }
  if (p.startsWith('/v1/messages')) return fromAnthropic(body);
  return fromOpenAi(body);
}

function fromAnthropic(body: Json): CapturedRequest {
  const messages: ChatMessage[] = [];
  const system = body.system;
  if (typeof system === 'string') messages.push({ role: 'system', content: system });
  else if (Array.isArray(system)) messages.push({ role: 'system', content: (system as Json[]).map((b) => ({ type: 'text', text: String(b.text ?? '') })) });
  for (const m of body.messages as Json[]) {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    if (typeof m.content === 'string') { messages.push({ role, content: m.content }); continue; }
    const parts: MessagePart[] = [];
    for (const b of m.content as Json[]) {
      if (b.type === 'text') parts.push({ type: 'text', text: String(b.text) });
      else if (b.type === 'tool_use') parts.push({ type: 'toolCall', callId: String(b.id), name: String(b.name), input: b.input as Record<string, unknown> });
      else if (b.type === 'tool_result') {
        const c = b.content;
        const text = typeof c === 'string' ? c : Array.isArray(c) ? (c as Json[]).map((x) => String(x.text ?? '')).join('\n') : '';
        parts.push({ type: 'toolResult', callId: String(b.tool_use_id), content: text, isError: b.is_error === true });
      }
    }
    messages.push({ role, content: parts });
  }
  return { messages, tools: (body.tools as unknown[] | undefined) ?? [] };
}

function fromOpenAi(body: Json): CapturedRequest {
  const messages: ChatMessage[] = [];
  for (const m of body.messages as Json[]) {
    const text = (c: unknown): string => typeof c === 'string' ? c : Array.isArray(c) ? (c as Json[]).map((x) => String(x.text ?? '')).join('\n') : '';
    if (m.role === 'tool') {
      messages.push({ role: 'tool', content: [{ type: 'toolResult', callId: String(m.tool_call_id), content: text(m.content) }] });
    } else if (m.role === 'assistant') {
      const parts: MessagePart[] = [];
      const t = text(m.content);
      if (t) parts.push({ type: 'text', text: t });
      for (const c of (m.tool_calls as Json[] | undefined) ?? []) {
        const f = c.function as Json;
        parts.push({ type: 'toolCall', callId: String(c.id), name: String(f.name), input: JSON.parse(String(f.arguments || '{}')) as Record<string, unknown> });
      }
      messages.push({ role: 'assistant', content: parts });
    } else if (Array.isArray(m.content)) {
      messages.push({ role: m.role === 'system' ? 'system' : 'user', content: (m.content as Json[]).map((x) => ({ type: 'text', text: String(x.text ?? '') })) });
    } else {
      messages.push({ role: m.role === 'system' ? 'system' : 'user', content: text(m.content) });
    }
  }
  return { messages, tools: (body.tools as unknown[] | undefined) ?? [] };
}
