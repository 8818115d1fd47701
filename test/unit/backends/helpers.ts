// Test helpers for the backend tests: model specs, requests, and draining a stream.
import type { ChatMessage, ChatRequest, StreamPart, BackendUsage } from '../../../src/core/types';
import { chatRequest, modelSpec } from '../../util/fixtures';

/** A model with plain values (util/fixtures.ts). */
export const spec = modelSpec;

let n = 0;
export function req(messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  n++;
  return chatRequest(messages, { id: `req-${n}`, workspace: { id: 'ws-test', name: 'test' }, session: 'session-test', ...extra });
}

export interface Drained {
  parts: StreamPart[];
  text: string;
  toolCalls: Array<Extract<StreamPart, { type: 'toolCall' }>>;
  usage: BackendUsage | undefined;
  /** Index of the usage part among all parts (-1 when absent). */
  usageIndex: number;
  error: unknown;
}

/** Drains a stream; `onPart` may act (e.g. abort) after each part. */
export async function drain(stream: AsyncIterable<StreamPart>, onPart?: (p: StreamPart, i: number) => void | Promise<void>): Promise<Drained> {
  const parts: StreamPart[] = [];
  let error: unknown;
  try {
    for await (const p of stream) {
      parts.push(p);
      if (onPart) await onPart(p, parts.length - 1);
    }
  } catch (e) {
    error = e;
  }
  const usageIndex = parts.findIndex((p) => p.type === 'usage');
  const u = parts[usageIndex];
  return {
    parts,
    text: parts.map((p) => (p.type === 'text' ? p.text : '')).join(''),
    toolCalls: parts.filter((p): p is Extract<StreamPart, { type: 'toolCall' }> => p.type === 'toolCall'),
    usage: u && u.type === 'usage' ? u.usage : undefined,
    usageIndex,
    error,
  };
}

/** A port on 127.0.0.1 with nothing listening. */
export async function closedPort(): Promise<number> {
  const net = await import('net');
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as import('net').AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
