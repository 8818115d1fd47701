// Ollama's API (`POST /api/chat`, `POST /api/generate`) as wire formats of the gateway: what the ollama
// client libraries, Continue and Cline (Ollama provider) send, answered as Ollama does — one JSON object, or
// NDJSON lines ending in a `done: true` line with `done_reason`, the token counts (`prompt_eval_count`,
// `eval_count`) and nanosecond durations. Ollama streams unless `stream: false`. Its tool calls carry no
// ids: the gateway gives each a stable id (message and call index) and matches later `tool` messages to
// them by `tool_name`, else in order, so that any backend (Anthropic needs ids) can take the history.
import type { ChatMessage, MessagePart, ToolCallPart } from '../../types';
import { GatewayError } from '../errors';
import { Answer, AnswerStart, AnswerUsage, bad, ParsedCall, StopReason, StreamWriter, WireFormat, positiveNumber } from '../wire';
import { argumentsOf } from './openaiShared';
import { functionTools } from './openaiChat';

const line = (v: unknown): string => `${JSON.stringify(v)}\n`;
const doneReason = (s: StopReason): string => (s === 'length' ? 'length' : 'stop');
const nowIso = (): string => new Date().toISOString();

function images(list: unknown): MessagePart[] {
  if (!Array.isArray(list)) return [];
  return list.filter((x): x is string => typeof x === 'string' && x.length > 0)
    .map((data) => ({ type: 'image', mimeType: data.startsWith('iVBOR') ? 'image/png' : 'image/jpeg', bytes: Math.floor((data.length * 3) / 4), dataBase64: data }));
}

function options(b: Record<string, any>): Pick<ParsedCall, 'maxOutputTokens' | 'temperature'> {
  const o = b.options && typeof b.options === 'object' ? b.options : {};
  const max = positiveNumber(o.num_predict !== undefined && o.num_predict >= 0 ? o.num_predict : undefined, 'options.num_predict', bad);
  const temperature = positiveNumber(o.temperature, 'options.temperature', bad);
  return { ...(max !== undefined && max > 0 ? { maxOutputTokens: max } : {}), ...(temperature !== undefined ? { temperature } : {}) };
}

export function parseOllamaChat(body: unknown): ParsedCall {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the request body must be a JSON object');
  const b = body as Record<string, any>;
  if (typeof b.model !== 'string' || !b.model) return bad('model is required');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return bad('messages are required');
  const messages: ChatMessage[] = [];
  let pending: Array<{ id: string; name: string }> = [];
  b.messages.forEach((m: any, i: number) => {
    const text = typeof m?.content === 'string' ? m.content : '';
    switch (m?.role) {
      case 'system': if (text) messages.push({ role: 'system', content: text }); break;
      case 'user': {
        const parts: MessagePart[] = [...(text ? [{ type: 'text' as const, text }] : []), ...images(m.images)];
        messages.push({ role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? text : parts });
        break;
      }
      case 'assistant': {
        const calls: ToolCallPart[] = (Array.isArray(m.tool_calls) ? m.tool_calls : []).map((c: any, j: number) => ({
          type: 'toolCall', callId: typeof c?.id === 'string' && c.id ? c.id : `call_m${i}_${j}`, name: String(c?.function?.name ?? ''), input: argumentsOf(c?.function?.arguments),
        }));
        pending = calls.map((c) => ({ id: c.callId, name: c.name }));
        messages.push({ role: 'assistant', content: [...(text ? [{ type: 'text' as const, text }] : []), ...calls] });
        break;
      }
      case 'tool': {
        const at = typeof m.tool_name === 'string' ? pending.findIndex((p) => p.name === m.tool_name) : -1;
        const match = typeof m.tool_call_id === 'string' ? { id: m.tool_call_id, name: '' } : pending.splice(at >= 0 ? at : 0, 1)[0];
        if (!match) { if (text) messages.push({ role: 'user', content: text }); break; }
        messages.push({ role: 'tool', content: [{ type: 'toolResult', callId: match.id, content: text }] });
        break;
      }
      default: bad(`messages[${i}].role must be system, user, assistant or tool`);
    }
  });
  const tools = functionTools(b.tools);
  return { model: b.model, stream: b.stream !== false, messages, ...(tools ? { tools } : {}), ...options(b) };
}

export function parseOllamaGenerate(body: unknown): ParsedCall {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the request body must be a JSON object');
  const b = body as Record<string, any>;
  if (typeof b.model !== 'string' || !b.model) return bad('model is required');
  if (typeof b.prompt !== 'string') return bad('prompt is required');
  const messages: ChatMessage[] = [];
  if (typeof b.system === 'string' && b.system) messages.push({ role: 'system', content: b.system });
  const parts: MessagePart[] = [...(b.prompt ? [{ type: 'text' as const, text: b.prompt }] : []), ...images(b.images)];
  messages.push({ role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? b.prompt : parts });
  return { model: b.model, stream: b.stream !== false, messages, ...(typeof b.suffix === 'string' ? { suffix: b.suffix } : {}), ...options(b) };
}

function metrics(usage: AnswerUsage, timing: { durationMs: number; ttftMs?: number }): Record<string, number> {
  const totalNs = Math.round(timing.durationMs * 1e6);
  const promptNs = Math.round((timing.ttftMs ?? 0) * 1e6);
  return {
    total_duration: totalNs, load_duration: 0, prompt_eval_count: usage.input, prompt_eval_duration: promptNs,
    eval_count: usage.output, eval_duration: Math.max(0, totalNs - promptNs),
  };
}

const ollamaCall = (c: ToolCallPart): Record<string, unknown> => ({ id: c.callId, function: { name: c.name, arguments: c.input } });

export function ollamaError(e: GatewayError): { status: number; body: unknown } {
  return { status: e.status, body: { error: e.message } };
}

function ollamaFormat(kind: 'chat' | 'generate'): WireFormat {
  const chat = kind === 'chat';
  return {
    name: chat ? 'ollama-chat' : 'ollama-generate',
    parse: chat ? parseOllamaChat : parseOllamaGenerate,
    error: ollamaError,
    complete(a: Answer): unknown {
      const body = chat
        ? { message: { role: 'assistant', content: a.text, ...(a.toolCalls.length ? { tool_calls: a.toolCalls.map(ollamaCall) } : {}) } }
        : { response: a.text };
      return { model: a.model, created_at: nowIso(), ...body, done: true, done_reason: doneReason(a.stop), ...metrics(a.usage, a) };
    },
    streamContentType: 'application/x-ndjson',
    stream(write, start: AnswerStart): StreamWriter {
      const head = (): Record<string, unknown> => ({ model: start.model, created_at: nowIso() });
      return {
        text(text) { write(line(chat ? { ...head(), message: { role: 'assistant', content: text }, done: false } : { ...head(), response: text, done: false })); },
        toolCall(c) { if (chat) write(line({ ...head(), message: { role: 'assistant', content: '', tool_calls: [ollamaCall(c)] }, done: false })); },
        end(stop, usage, timing) {
          const last = chat ? { message: { role: 'assistant', content: '' } } : { response: '' };
          write(line({ ...head(), ...last, done: true, done_reason: doneReason(stop), ...metrics(usage, timing) }));
        },
        fail(e) { write(line({ error: e.message })); },
      };
    },
  };
}

export const ollamaChat = ollamaFormat('chat');
export const ollamaGenerate = ollamaFormat('generate');
