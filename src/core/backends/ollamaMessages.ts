// Message conversion for the Ollama backend: Rightsize's ChatRequest messages and tools to Ollama's, and
// Ollama's tool arguments back to the stream contract's objects.
import type { Message, Tool } from 'ollama';
import type { ChatMessage, ChatRequest } from '../types';
import { partsOf, toolNamesById } from './common';

/** ChatRequest messages -> Ollama messages (tool results become `tool` messages with `tool_name`). */
export function toOllamaMessages(messages: ChatMessage[]): Message[] {
  const names = toolNamesById(messages);
  const out: Message[] = [];
  for (const m of messages) {
    const parts = partsOf(m);
    const text = parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
    for (const p of parts) {
      if (p.type !== 'toolResult') continue;
      const name = names.get(p.callId);
      out.push({ role: 'tool', content: p.isError ? `Error: ${p.content}` : p.content, ...(name ? { tool_name: name } : {}) });
    }
    if (m.role === 'tool') {
      if (text) out.push({ role: 'tool', content: text });
      continue;
    }
    const images = parts.flatMap((p) => (p.type === 'image' && p.dataBase64 ? [p.dataBase64] : []));
    const calls = parts.flatMap((p) => (p.type === 'toolCall' ? [{ function: { name: p.name, arguments: p.input } }] : []));
    if (!text && images.length === 0 && calls.length === 0) continue;
    out.push({
      role: m.role,
      content: text,
      ...(images.length > 0 ? { images } : {}),
      ...(calls.length > 0 && m.role === 'assistant' ? { tool_calls: calls } : {}),
    });
  }
  return out;
}

export function toOllamaTools(request: ChatRequest): Tool[] {
  return (request.tools ?? []).map((t) => ({
    type: 'function',
    function: {
      name: t.name,
      description: t.description,
      parameters: (t.inputSchema ?? { type: 'object', properties: {} }) as Tool['function']['parameters'],
    },
  }));
}

/** Ollama sometimes sends tool arguments as a JSON string; the contract wants an object. */
export function normaliseArguments(args: unknown): Record<string, unknown> {
  if (args && typeof args === 'object' && !Array.isArray(args)) return args as Record<string, unknown>;
  if (typeof args === 'string') {
    try {
      const v = JSON.parse(args);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch { /* fall through */ }
    return { value: args };
  }
  return {};
}
