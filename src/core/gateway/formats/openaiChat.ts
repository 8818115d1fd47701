// OpenAI Chat Completions (`POST /v1/chat/completions`) as a wire format of the gateway: what the openai
// SDK, Cline, Continue and Aider (OpenAI-compatible mode) send, and the answer as `chat.completion`, or
// `chat.completion.chunk` SSE ending in `data: [DONE]` (with a usage chunk when
// `stream_options.include_usage`). Usage as OpenAI counts it: prompt_tokens include cached tokens,
// completion_tokens include reasoning.
import type { ChatMessage, MessagePart, ToolCallPart, ToolDefinition } from '../../types';
import { Answer, AnswerStart, AnswerUsage, bad, ParsedCall, StopReason, StreamWriter, WireFormat, positiveNumber, sseEvent } from '../wire';
import { argumentsOf, imageFromUrl, openaiError, openaiErrorBody } from './openaiShared';

const FINISH: Readonly<Record<StopReason, string>> = { stop: 'stop', toolUse: 'tool_calls', length: 'length' };

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((c: any) => (c && (c.type === 'text' || c.type === 'input_text') && typeof c.text === 'string' ? c.text : '')).join('');
}

function userParts(content: unknown, at: string): MessagePart[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (content === null || content === undefined) return [];
  if (!Array.isArray(content)) return bad(`${at}.content must be a string or a list of parts`);
  const out: MessagePart[] = [];
  for (const c of content as any[]) {
    if (c?.type === 'text' && typeof c.text === 'string' && c.text) out.push({ type: 'text', text: c.text });
    else if (c?.type === 'image_url') { const img = imageFromUrl(c.image_url?.url ?? c.image_url); if (img) out.push(img); }
  }
  return out;
}

/** OpenAI `tools` (function tools) -> the core's tool definitions. */
export function functionTools(tools: unknown): ToolDefinition[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) return bad('tools must be a list');
  const out = tools.filter((t: any) => t?.type === 'function' && typeof t.function?.name === 'string').map((t: any) => ({
    name: t.function.name, description: typeof t.function.description === 'string' ? t.function.description : '',
    inputSchema: t.function.parameters && typeof t.function.parameters === 'object' ? t.function.parameters : { type: 'object', properties: {} },
  }));
  return out.length ? out : undefined;
}

export function parseChatCompletions(body: unknown): ParsedCall {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the request body must be a JSON object');
  const b = body as Record<string, any>;
  if (typeof b.model !== 'string' || !b.model) return bad('you must provide a model parameter');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return bad("Invalid 'messages': expected a non-empty array");
  const messages: ChatMessage[] = [];
  b.messages.forEach((m: any, i: number) => {
    const at = `messages[${i}]`;
    switch (m?.role) {
      case 'system':
      case 'developer': {
        const t = textOfContent(m.content);
        if (t) messages.push({ role: 'system', content: t });
        break;
      }
      case 'user': {
        const parts = userParts(m.content, at);
        messages.push({ role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? parts[0].text : parts });
        break;
      }
      case 'assistant': {
        const parts: MessagePart[] = [];
        const t = textOfContent(m.content);
        if (t) parts.push({ type: 'text', text: t });
        for (const c of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
          if (typeof c?.id !== 'string' || typeof c.function?.name !== 'string') bad(`${at}.tool_calls: each needs id and function.name`);
          parts.push({ type: 'toolCall', callId: c.id, name: c.function.name, input: argumentsOf(c.function.arguments) });
        }
        messages.push({ role: 'assistant', content: parts });
        break;
      }
      case 'tool':
        if (typeof m.tool_call_id !== 'string') bad(`${at}.tool_call_id is required`);
        messages.push({ role: 'tool', content: [{ type: 'toolResult', callId: m.tool_call_id, content: textOfContent(m.content) }] });
        break;
      default:
        bad(`${at}.role must be system, developer, user, assistant or tool`);
    }
  });
  const maxOutputTokens = positiveNumber(b.max_completion_tokens ?? b.max_tokens, 'max_tokens', bad);
  const temperature = positiveNumber(b.temperature, 'temperature', bad);
  const tools = functionTools(b.tools);
  return {
    model: b.model, stream: b.stream === true, streamUsage: b.stream_options?.include_usage === true, messages,
    ...(tools ? { tools } : {}), ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}), ...(temperature !== undefined ? { temperature } : {}),
  };
}

export function chatUsage(u: AnswerUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cachedInput }, completion_tokens_details: { reasoning_tokens: u.reasoning },
  };
}

const completionId = (id: string): string => `chatcmpl-${id.replace(/[^A-Za-z0-9]/g, '')}`;
const wireCall = (c: ToolCallPart): Record<string, unknown> => ({ id: c.callId, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } });

export const openaiChat: WireFormat = {
  name: 'openai-chat',
  keyProvider: 'openai',
  parse: parseChatCompletions,
  error: openaiError,
  complete(a: Answer): unknown {
    return {
      id: completionId(a.id), object: 'chat.completion', created: a.created, model: a.model,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: a.text || (a.toolCalls.length ? null : ''), refusal: null, ...(a.toolCalls.length ? { tool_calls: a.toolCalls.map(wireCall) } : {}) },
        logprobs: null, finish_reason: FINISH[a.stop],
      }],
      usage: chatUsage(a.usage),
    };
  },
  streamContentType: 'text/event-stream; charset=utf-8',
  stream(write, start: AnswerStart, call: ParsedCall): StreamWriter {
    const id = completionId(start.id);
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): void => write(sseEvent({
      id, object: 'chat.completion.chunk', created: start.created, model: start.model, choices, ...(call.streamUsage ? { usage: null } : {}), ...extra,
    }));
    const delta = (d: Record<string, unknown>, finish: string | null = null): unknown[] => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];
    chunk(delta({ role: 'assistant', content: '' }));
    let calls = 0;
    return {
      text(text) { chunk(delta({ content: text })); },
      toolCall(c) { chunk(delta({ tool_calls: [{ index: calls++, ...wireCall(c) }] })); },
      end(stop, usage) {
        chunk(delta({}, FINISH[stop]));
        if (call.streamUsage) chunk([], { usage: chatUsage(usage) });
        write(sseEvent('[DONE]'));
      },
      fail(e) { write(sseEvent(openaiErrorBody(e))); },
    };
  },
};
