// OpenAI Responses (`POST /v1/responses`) as a wire format of the gateway: what Codex CLI (`wire_api =
// "responses"`) and the openai SDK's `responses.create` send. Stateless: the client sends the whole input
// (Codex does, with `store: false`); `previous_response_id` is refused with a clear message. Function tools,
// Codex's freeform `custom` tools (their raw text input travels as `{"input": "…"}` to backends and comes
// back as a `custom_tool_call`) and `namespace` tools (flattened to `namespace__name`) are translated; built-in
// tools (web search, …) are not offered to other backends. The answer: a `response` object, or its SSE
// sequence (response.created … output items … response.completed, or response.failed).
import type { ChatMessage, MessagePart, ToolCallPart, ToolDefinition } from '../../types';
import { GatewayError } from '../errors';
import { Answer, AnswerStart, AnswerUsage, bad, ParsedCall, StopReason, StreamWriter, WireFormat, positiveNumber, sseEvent } from '../wire';
import { argumentsOf, imageFromUrl, openaiError, openaiErrorBody } from './openaiShared';

type Kinds = NonNullable<ParsedCall['toolKinds']>;
const NS_SEP = '__';

function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  const out: MessagePart[] = [];
  for (const c of content as any[]) {
    if ((c?.type === 'input_text' || c?.type === 'output_text' || c?.type === 'text') && typeof c.text === 'string' && c.text) out.push({ type: 'text', text: c.text });
    else if (c?.type === 'input_image') { const img = imageFromUrl(c.image_url); if (img) out.push(img); }
  }
  return out;
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return contentParts(output).map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function toolsOf(tools: unknown): { tools?: ToolDefinition[]; kinds: Kinds } {
  const kinds: Kinds = {};
  if (tools === undefined || tools === null) return { kinds };
  if (!Array.isArray(tools)) return bad('tools must be a list');
  const out: ToolDefinition[] = [];
  const fn = (t: any, name: string): void => {
    out.push({ name, description: typeof t.description === 'string' ? t.description : '', inputSchema: t.parameters && typeof t.parameters === 'object' ? t.parameters : { type: 'object', properties: {} } });
  };
  for (const t of tools as any[]) {
    if (t?.type === 'function' && typeof t.name === 'string') { fn(t, t.name); kinds[t.name] = 'function'; }
    else if (t?.type === 'custom' && typeof t.name === 'string') {
      const grammar = typeof t.format?.definition === 'string' ? `\n\nThe input must follow this ${t.format.syntax ?? ''} grammar:\n${t.format.definition}` : '';
      out.push({ name: t.name, description: `${t.description ?? ''}${grammar}`, inputSchema: { type: 'object', properties: { input: { type: 'string', description: 'The raw input of the tool.' } }, required: ['input'] } });
      kinds[t.name] = 'custom';
    } else if (t?.type === 'namespace' && typeof t.name === 'string' && Array.isArray(t.tools)) {
      for (const inner of t.tools) {
        if (inner?.type !== 'function' || typeof inner.name !== 'string') continue;
        const flat = `${t.name}${NS_SEP}${inner.name}`;
        fn(inner, flat);
        kinds[flat] = { namespace: t.name, name: inner.name };
      }
    }
  }
  return { tools: out.length ? out : undefined, kinds };
}

export function parseResponses(body: unknown): ParsedCall {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the request body must be a JSON object');
  const b = body as Record<string, any>;
  if (typeof b.model !== 'string' || !b.model) return bad("Missing required parameter: 'model'.");
  if (b.previous_response_id) return bad('Rightsize gateway: previous_response_id is not supported (responses are not stored); send the whole conversation in `input` (Codex does).');
  const messages: ChatMessage[] = [];
  if (typeof b.instructions === 'string' && b.instructions) messages.push({ role: 'system', content: b.instructions });
  /** Appends parts to the last message when it has the same role (an assistant's text and calls, consecutive tool outputs). */
  const push = (role: ChatMessage['role'], parts: MessagePart[]): void => {
    if (parts.length === 0) return;
    const last = messages[messages.length - 1];
    const mergeable = last && last.role === role && (role === 'assistant' || (role === 'tool' && typeof last.content !== 'string'));
    if (mergeable && typeof last.content !== 'string') last.content.push(...parts);
    else messages.push({ role, content: parts.length === 1 && parts[0].type === 'text' && role !== 'tool' ? parts[0].text : parts });
  };
  const input: any[] = typeof b.input === 'string' ? [{ type: 'message', role: 'user', content: b.input }] : Array.isArray(b.input) ? b.input : bad("Invalid 'input': a string or a list of items is required");
  input.forEach((item: any, i: number) => {
    const type = item?.type ?? (item?.role ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const role = item.role === 'developer' || item.role === 'system' ? 'system' : item.role === 'assistant' ? 'assistant' : item.role === 'user' ? 'user' : bad(`input[${i}].role must be user, assistant, system or developer`);
        push(role, contentParts(item.content));
        break;
      }
      case 'function_call':
        if (typeof item.call_id !== 'string' || typeof item.name !== 'string') bad(`input[${i}]: function_call needs call_id and name`);
        push('assistant', [{ type: 'toolCall', callId: item.call_id, name: item.namespace ? `${item.namespace}${NS_SEP}${item.name}` : item.name, input: argumentsOf(item.arguments) }]);
        break;
      case 'custom_tool_call':
        if (typeof item.call_id !== 'string' || typeof item.name !== 'string') bad(`input[${i}]: custom_tool_call needs call_id and name`);
        push('assistant', [{ type: 'toolCall', callId: item.call_id, name: item.name, input: { input: typeof item.input === 'string' ? item.input : '' } }]);
        break;
      case 'function_call_output':
      case 'custom_tool_call_output':
        if (typeof item.call_id !== 'string') bad(`input[${i}]: ${type} needs call_id`);
        push('tool', [{ type: 'toolResult', callId: item.call_id, content: outputText(item.output) }]);
        break;
      default:
        break; // reasoning (encrypted, model-specific), web search calls, …: not translated
    }
  });
  if (!messages.some((m) => m.role !== 'system')) return bad("Invalid 'input': no user message");
  const { tools, kinds } = toolsOf(b.tools);
  const maxOutputTokens = positiveNumber(b.max_output_tokens, 'max_output_tokens', bad);
  const temperature = positiveNumber(b.temperature, 'temperature', bad);
  return {
    model: b.model, stream: b.stream === true, messages, ...(tools ? { tools, toolKinds: kinds } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}), ...(temperature !== undefined ? { temperature } : {}),
  };
}

export function responsesUsage(u: AnswerUsage): Record<string, unknown> {
  return {
    input_tokens: u.input, input_tokens_details: { cached_tokens: u.cachedInput },
    output_tokens: u.output, output_tokens_details: { reasoning_tokens: u.reasoning }, total_tokens: u.input + u.output,
  };
}

const clean = (id: string): string => id.replace(/[^A-Za-z0-9]/g, '');

/** A tool call as the output item the client expects for that tool. */
function callItem(c: ToolCallPart, id: string, kinds: Kinds | undefined): Record<string, unknown> {
  const kind = kinds?.[c.name];
  if (kind === 'custom') {
    const text = typeof c.input.input === 'string' ? c.input.input : JSON.stringify(c.input);
    return { id, type: 'custom_tool_call', status: 'completed', call_id: c.callId, name: c.name, input: text };
  }
  if (kind && typeof kind === 'object') return { id, type: 'function_call', status: 'completed', call_id: c.callId, name: kind.name, namespace: kind.namespace, arguments: JSON.stringify(c.input) };
  return { id, type: 'function_call', status: 'completed', call_id: c.callId, name: c.name, arguments: JSON.stringify(c.input) };
}

function responseObject(start: AnswerStart, status: string, output: unknown[], usage: AnswerUsage | null, stop?: StopReason, error?: unknown): Record<string, unknown> {
  return {
    id: `resp_${clean(start.id)}`, object: 'response', created_at: start.created, status,
    error: error ?? null, incomplete_details: stop === 'length' ? { reason: 'max_output_tokens' } : null,
    model: start.model, output, parallel_tool_calls: true, tool_choice: 'auto', tools: [], store: false,
    usage: usage ? responsesUsage(usage) : null,
  };
}

const statusOf = (stop: StopReason): string => (stop === 'length' ? 'incomplete' : 'completed');

export const openaiResponses: WireFormat = {
  name: 'openai-responses',
  keyProvider: 'openai',
  parse: parseResponses,
  error: openaiError,
  complete(a: Answer, call: ParsedCall): unknown {
    const output: unknown[] = [];
    if (a.text || a.toolCalls.length === 0) {
      output.push({ id: `msg_${clean(a.id)}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: a.text, annotations: [] }] });
    }
    a.toolCalls.forEach((c, i) => output.push(callItem(c, `fc_${clean(a.id)}_${i}`, call.toolKinds)));
    return { ...responseObject(a, statusOf(a.stop), output, a.usage, a.stop), output_text: a.text };
  },
  streamContentType: 'text/event-stream; charset=utf-8',
  stream(write, start: AnswerStart, call: ParsedCall): StreamWriter {
    let seq = 0;
    const event = (type: string, data: Record<string, unknown>): void => write(sseEvent({ type, sequence_number: seq++, ...data }, type));
    const output: Array<Record<string, unknown>> = [];
    event('response.created', { response: responseObject(start, 'in_progress', [], null) });
    event('response.in_progress', { response: responseObject(start, 'in_progress', [], null) });
    let message: { id: string; index: number; text: string } | undefined;
    const closeMessage = (): void => {
      if (!message) return;
      const where = { item_id: message.id, output_index: message.index, content_index: 0 };
      const part = { type: 'output_text', text: message.text, annotations: [] };
      event('response.output_text.done', { ...where, text: message.text });
      event('response.content_part.done', { ...where, part });
      const item = { id: message.id, type: 'message', status: 'completed', role: 'assistant', content: [part] };
      event('response.output_item.done', { output_index: message.index, item });
      output[message.index] = item;
      message = undefined;
    };
    return {
      text(text) {
        if (!message) {
          message = { id: `msg_${clean(start.id)}_${output.length}`, index: output.length, text: '' };
          output.push({});
          event('response.output_item.added', { output_index: message.index, item: { id: message.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
          event('response.content_part.added', { item_id: message.id, output_index: message.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
        }
        message.text += text;
        event('response.output_text.delta', { item_id: message.id, output_index: message.index, content_index: 0, delta: text });
      },
      toolCall(c) {
        closeMessage();
        const index = output.length;
        const item = callItem(c, `fc_${clean(start.id)}_${index}`, call.toolKinds);
        output.push(item);
        if (item.type === 'custom_tool_call') {
          event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', input: '' } });
          event('response.custom_tool_call_input.delta', { item_id: item.id, output_index: index, delta: item.input });
          event('response.custom_tool_call_input.done', { item_id: item.id, output_index: index, input: item.input });
        } else {
          event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
          event('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: item.arguments });
          event('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: item.arguments });
        }
        event('response.output_item.done', { output_index: index, item });
      },
      end(stop, usage) {
        closeMessage();
        event(stop === 'length' ? 'response.incomplete' : 'response.completed', { response: responseObject(start, statusOf(stop), output, usage, stop) });
      },
      fail(e: GatewayError) {
        const { error } = openaiErrorBody(e);
        event('response.failed', { response: responseObject(start, 'failed', output, null, undefined, { code: error.code ?? error.type, message: error.message }) });
      },
    };
  },
};
