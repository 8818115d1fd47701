// OpenAI's Responses API for the fake OpenAI server: POST /v1/responses, streaming (SSE) and not.
// Current Codex CLI speaks only this wire format (`wire_api = "responses"`).
// Streaming follows OpenAI's event sequence (each `event: <type>` + `data: {"type", "sequence_number", …}`):
//   response.created, response.in_progress,
//   [reasoning item: output_item.added, output_item.done]            (when the reply has `thinking`)
//   message item: output_item.added, content_part.added, output_text.delta…, output_text.done,
//                 content_part.done, output_item.done
//   per tool call: output_item.added (function_call), function_call_arguments.delta…, .done, output_item.done
//   response.completed (response.usage: input_tokens incl. input_tokens_details.cached_tokens, output_tokens
//                       incl. output_tokens_details.reasoning_tokens, total_tokens)
// Errors mid-stream are a `response.failed` event. Token counts follow common.ts.
import {
  FakeReply, RequestContext, approxTokens, contentText, countImages, echoOf, fakeId, msFor, pace, sendJson, textChunks, write,
  MESSAGE_OVERHEAD_TOKENS, IMAGE_TOKENS,
} from './common';

type Item = Record<string, unknown>;

/** Text of one Responses input item (message, function_call, function_call_output, reasoning). */
function itemText(item: any): string {
  if (!item || typeof item !== 'object') return typeof item === 'string' ? item : '';
  if (item.type === 'function_call') return `${item.name ?? ''}${item.arguments ?? ''}`;
  if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') return typeof item.output === 'string' ? item.output : contentText(item.output);
  return contentText(item.content);
}

function promptTokensOf(body: any): number {
  const input: any[] = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
  let total = approxTokens(typeof body.instructions === 'string' ? body.instructions : '');
  for (const item of input) total += MESSAGE_OVERHEAD_TOKENS + approxTokens(itemText(item)) + IMAGE_TOKENS * countImages(item?.content);
  if (Array.isArray(body.tools)) total += approxTokens(JSON.stringify(body.tools));
  return total;
}

function lastUserText(body: any): string {
  if (typeof body.input === 'string') return body.input;
  const input: any[] = Array.isArray(body.input) ? body.input : [];
  const last = [...input].reverse().find((i) => i?.role === 'user');
  return contentText(last?.content);
}

/** Serves one /v1/responses request (the caller has checked auth, model and body). */
export async function serveResponses(ctx: RequestContext, reply: FakeReply | undefined, defaultTps: number): Promise<void> {
  const body = ctx.record.body;
  const promptTokens = reply?.promptTokens ?? promptTokensOf(body);
  const cached = Math.min(reply?.cachedTokens ?? 0, promptTokens);
  const chunks = textChunks(reply, echoOf(lastUserText(body)));
  const text = chunks.join('');
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  const calls = hasTools ? (reply?.toolCalls ?? []).map((c) => ({ ...c, callId: c.id ?? fakeId('call_'), itemId: fakeId('fc_') })) : [];
  const reasoning = reply?.thinking ? approxTokens(reply.thinking) : 0;
  const output = reply?.outputTokens ?? (approxTokens(text) + reasoning +
    (calls.length ? approxTokens(JSON.stringify(calls.map((c) => ({ name: c.name, arguments: c.arguments })))) : 0));
  const usage = {
    input_tokens: promptTokens,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: promptTokens + output,
  };
  ctx.record.reported = { ...usage };
  const tps = reply?.tokensPerSecond ?? defaultTps;
  const id = fakeId('resp_');
  const messageId = fakeId('msg_');
  const reasoningItem: Item | undefined = reply?.thinking ? { id: fakeId('rs_'), type: 'reasoning', summary: [], encrypted_content: 'ZmFrZQ==' } : undefined;
  const messageItem: Item | undefined = text.length > 0 || calls.length === 0
    ? { id: messageId, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] }
    : undefined;
  const callItems: Item[] = calls.map((c) => ({ id: c.itemId, type: 'function_call', status: 'completed', call_id: c.callId, name: c.name, arguments: JSON.stringify(c.arguments) }));
  const items = [reasoningItem, messageItem, ...callItems].filter((i): i is Item => i !== undefined);
  const response = (status: string, out: Item[], u: unknown): Item => ({
    id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, error: null, incomplete_details: null,
    instructions: body.instructions ?? null, model: body.model, output: out, parallel_tool_calls: body.parallel_tool_calls ?? true,
    tool_choice: body.tool_choice ?? 'auto', tools: body.tools ?? [], store: body.store ?? true, usage: u,
  });

  if (body.stream !== true) {
    await pace(ctx, msFor(output, tps));
    if (ctx.gone) return;
    sendJson(ctx, 200, { ...response('completed', items, usage), output_text: text });
    return;
  }

  let seq = 0;
  const event = (type: string, data: Item): boolean => write(ctx, `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  ctx.record.status = 200;
  ctx.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${id}` });
  ctx.res.flushHeaders();
  if (!event('response.created', { response: response('in_progress', [], null) })) return;
  if (!event('response.in_progress', { response: response('in_progress', [], null) })) return;
  let index = 0;
  if (reasoningItem) {
    if (!event('response.output_item.added', { output_index: index, item: { ...reasoningItem, encrypted_content: undefined } })) return;
    await pace(ctx, msFor(reasoning, tps));
    if (!event('response.output_item.done', { output_index: index, item: reasoningItem })) return;
    index++;
  }
  if (messageItem) {
    const where = { item_id: messageId, output_index: index, content_index: 0 };
    if (!event('response.output_item.added', { output_index: index, item: { ...messageItem, status: 'in_progress', content: [] } })) return;
    if (!event('response.content_part.added', { ...where, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } })) return;
    let sent = 0;
    for (const c of chunks) {
      if (reply?.errorAfterChunks !== undefined && sent >= reply.errorAfterChunks) return failed(ctx, event, response, reply);
      if (reply?.stallAfterChunks !== undefined && sent >= reply.stallAfterChunks) { await ctx.goneSignal; return; }
      if (!event('response.output_text.delta', { ...where, delta: c, logprobs: [] })) return;
      sent++;
      await pace(ctx, msFor(approxTokens(c), tps));
      if (ctx.gone) return;
    }
    if (reply?.errorAfterChunks !== undefined) return failed(ctx, event, response, reply);
    if (reply?.stallAfterChunks !== undefined) { await ctx.goneSignal; return; }
    if (!event('response.output_text.done', { ...where, text, logprobs: [] })) return;
    if (!event('response.content_part.done', { ...where, part: { type: 'output_text', text, annotations: [], logprobs: [] } })) return;
    if (!event('response.output_item.done', { output_index: index, item: messageItem })) return;
    index++;
  }
  for (const item of callItems) {
    const args = String(item.arguments);
    if (!event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } })) return;
    for (let p = 0; p < args.length; p += 7) {
      if (!event('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: args.slice(p, p + 7) })) return;
      await pace(ctx, msFor(2, tps));
    }
    if (!event('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: args })) return;
    if (!event('response.output_item.done', { output_index: index, item })) return;
    index++;
  }
  if (!event('response.completed', { response: response('completed', items, usage) })) return;
  ctx.res.end();
}

function failed(ctx: RequestContext, event: (type: string, data: Item) => boolean, response: (s: string, o: Item[], u: unknown) => Item, reply: FakeReply): void {
  const r = response('failed', [], null);
  event('response.failed', { response: { ...r, error: { code: reply.errorType ?? 'server_error', message: reply.error ?? 'The server had an error while processing your request. Sorry about that!' } } });
  ctx.res.end();
}
