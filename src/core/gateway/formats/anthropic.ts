// Anthropic Messages (`POST /v1/messages`) as a wire format of the gateway: what Claude Code and the
// Anthropic SDK send, and the answer in Anthropic's shape — a `message` object, or the SSE sequence
// message_start, ping, content_block_start/delta/stop per text or tool_use block, message_delta
// (stop_reason and the final usage), message_stop. Usage as Anthropic counts it: `input_tokens` excludes
// cache reads and cache writes, which have their own fields.
import type { ChatMessage, MessagePart, ToolCallPart, ToolDefinition } from '../../types';
import { GatewayError, GatewayErrorKind } from '../errors';
import { Answer, AnswerStart, AnswerUsage, bad, ParsedCall, StopReason, StreamWriter, WireFormat, positiveNumber, sseEvent } from '../wire';


const ERROR_TYPES: Readonly<Record<GatewayErrorKind, string>> = {
  badRequest: 'invalid_request_error', auth: 'authentication_error', forbidden: 'permission_error', budget: 'permission_error',
  notFound: 'not_found_error', tooLarge: 'request_too_large', rateLimit: 'rate_limit_error', server: 'api_error',
  unavailable: 'api_error', timeout: 'timeout_error',
};

const STOP: Readonly<Record<StopReason, string>> = { stop: 'end_turn', toolUse: 'tool_use', length: 'max_tokens' };

/** Text of a content value: a string, or text blocks (other blocks skipped). */
export function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => (b && typeof b === 'object' && (b as { type?: unknown }).type === 'text' && typeof (b as { text?: unknown }).text === 'string' ? (b as { text: string }).text : '')).join('');
}

function imagePart(source: any): MessagePart | undefined {
  if (source?.type === 'base64' && typeof source.data === 'string' && typeof source.media_type === 'string') {
    return { type: 'image', mimeType: source.media_type, bytes: Math.floor((source.data.length * 3) / 4), dataBase64: source.data };
  }
  return undefined; // URL images: not fetched by the gateway
}

function partsOfContent(content: unknown, at: string): MessagePart[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return bad(`${at}.content must be a string or a list of content blocks`);
  const out: MessagePart[] = [];
  content.forEach((b: any, j: number) => {
    switch (b?.type) {
      case 'text': if (typeof b.text === 'string' && b.text) out.push({ type: 'text', text: b.text }); break;
      case 'image': { const p = imagePart(b.source); if (p) out.push(p); break; }
      case 'tool_use':
        if (typeof b.id !== 'string' || typeof b.name !== 'string') bad(`${at}.content.${j}: tool_use needs id and name`);
        out.push({ type: 'toolCall', callId: b.id, name: b.name, input: b.input && typeof b.input === 'object' ? b.input : {} });
        break;
      case 'tool_result':
        if (typeof b.tool_use_id !== 'string') bad(`${at}.content.${j}: tool_result needs tool_use_id`);
        out.push({ type: 'toolResult', callId: b.tool_use_id, content: blockText(b.content), ...(b.is_error === true ? { isError: true } : {}) });
        break;
      default: break; // thinking, redacted_thinking, documents, server tool blocks: not translated
    }
  });
  return out;
}

export function parseAnthropicMessages(body: unknown): ParsedCall {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the request body must be a JSON object');
  const b = body as Record<string, any>;
  if (typeof b.model !== 'string' || !b.model) return bad('model: Field required');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return bad('messages: at least one message is required');
  const messages: ChatMessage[] = [];
  const system = typeof b.system === 'string' ? b.system : blockText(b.system);
  if (system) messages.push({ role: 'system', content: system });
  b.messages.forEach((m: any, i: number) => {
    if (m?.role !== 'user' && m?.role !== 'assistant') bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    const parts = partsOfContent(m.content, `messages.${i}`);
    messages.push({ role: m.role, content: parts.length === 1 && parts[0].type === 'text' ? parts[0].text : parts });
  });
  let tools: ToolDefinition[] | undefined;
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return bad('tools must be a list');
    // Client tools have an input_schema; Anthropic's server tools (web search, …) are not translated.
    tools = b.tools.filter((t: any) => t && typeof t.name === 'string' && t.input_schema && typeof t.input_schema === 'object')
      .map((t: any) => ({ name: t.name, description: typeof t.description === 'string' ? t.description : '', inputSchema: t.input_schema }));
    if (tools!.length === 0) tools = undefined;
  }
  const maxOutputTokens = positiveNumber(b.max_tokens, 'max_tokens', bad);
  if (maxOutputTokens === undefined) return bad('max_tokens: Field required');
  const temperature = positiveNumber(b.temperature, 'temperature', bad);
  return {
    model: b.model, stream: b.stream === true, messages, ...(tools ? { tools } : {}), maxOutputTokens,
    ...(temperature !== undefined ? { temperature } : {}),
  };
}

export function anthropicUsage(u: AnswerUsage): Record<string, number> {
  return {
    input_tokens: Math.max(0, u.input - u.cachedInput - u.cacheWrite),
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cachedInput,
    output_tokens: u.output,
  };
}

function messageId(id: string): string { return `msg_${id.replace(/[^A-Za-z0-9]/g, '')}`; }

function toolUseBlock(c: ToolCallPart): Record<string, unknown> {
  return { type: 'tool_use', id: c.callId, name: c.name, input: c.input };
}

export function anthropicError(e: GatewayError): { status: number; body: unknown } {
  return { status: e.status, body: { type: 'error', error: { type: ERROR_TYPES[e.kind], message: e.message } } };
}

export const anthropicMessages: WireFormat = {
  name: 'anthropic',
  keyProvider: 'anthropic',
  parse: parseAnthropicMessages,
  error: anthropicError,
  complete(a: Answer): unknown {
    return {
      id: messageId(a.id), type: 'message', role: 'assistant', model: a.model,
      content: [...(a.text ? [{ type: 'text', text: a.text }] : []), ...a.toolCalls.map(toolUseBlock)],
      stop_reason: STOP[a.stop], stop_sequence: null, usage: anthropicUsage(a.usage),
    };
  },
  streamContentType: 'text/event-stream; charset=utf-8',
  stream(write: (chunk: string) => void, start: AnswerStart): StreamWriter {
    const event = (type: string, data: Record<string, unknown>): void => write(sseEvent({ type, ...data }, type));
    event('message_start', {
      message: {
        id: messageId(start.id), type: 'message', role: 'assistant', model: start.model, content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: start.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    });
    event('ping', {});
    let index = 0;
    let textOpen = false;
    const closeText = (): void => {
      if (!textOpen) return;
      event('content_block_stop', { index });
      index++;
      textOpen = false;
    };
    return {
      text(text) {
        if (!textOpen) {
          event('content_block_start', { index, content_block: { type: 'text', text: '' } });
          textOpen = true;
        }
        event('content_block_delta', { index, delta: { type: 'text_delta', text } });
      },
      toolCall(c) {
        closeText();
        event('content_block_start', { index, content_block: { ...toolUseBlock(c), input: {} } });
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(c.input) } });
        event('content_block_stop', { index });
        index++;
      },
      end(stop, usage) {
        closeText();
        event('message_delta', { delta: { stop_reason: STOP[stop], stop_sequence: null }, usage: anthropicUsage(usage) });
        event('message_stop', {});
      },
      fail(e) {
        event('error', anthropicError(e).body as Record<string, unknown>);
      },
    };
  },
};
