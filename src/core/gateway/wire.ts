// The contract between the gateway and its wire formats (Anthropic Messages, OpenAI Chat Completions and
// Responses, Ollama): a format parses its request body into the core's messages and tools, and writes the
// pipeline's answer back in its own shape — one JSON body, or a stream (SSE or NDJSON) — and its errors.
import type { ChatMessage, ToolCallPart, ToolDefinition } from '../types';
import { GatewayError } from './errors';

export type WireFormatName = 'anthropic' | 'openai-chat' | 'openai-responses' | 'ollama-chat' | 'ollama-generate';

/** A client's request, normalised. */
export interface ParsedCall {
  /** The model the client named (`rightsize-auto`, an alias, or a model id). */
  model: string;
  stream: boolean;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  maxOutputTokens?: number;
  temperature?: number;
  /** Fill-in-the-middle text after the cursor (Ollama generate). */
  suffix?: string;
  /** OpenAI Chat Completions: `stream_options.include_usage` (a last chunk with the usage). */
  streamUsage?: boolean;
  /** How a tool must be answered in this format, by name (Responses: `custom` tools take raw text). */
  toolKinds?: Record<string, 'function' | 'custom' | { namespace: string; name: string }>;
}

export type StopReason = 'stop' | 'toolUse' | 'length';

/** Tokens of the answer as the client's usage fields need them (input includes cached and cache writes). */
export interface AnswerUsage {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

export interface AnswerStart {
  /** Response id in the format's style is made by the format from this. */
  id: string;
  /** The model that answers (its real id). */
  model: string;
  /** Seconds since the epoch. */
  created: number;
  /** Counted input tokens (until the backend reports its own). */
  inputTokens: number;
}

/** A finished answer (non-streaming). */
export interface Answer extends AnswerStart {
  text: string;
  toolCalls: ToolCallPart[];
  stop: StopReason;
  usage: AnswerUsage;
  durationMs: number;
  ttftMs?: number;
}

export interface StreamWriter {
  text(text: string): void;
  toolCall(call: ToolCallPart): void;
  end(stop: StopReason, usage: AnswerUsage, timing: { durationMs: number; ttftMs?: number }): void;
  /** An error after the stream began, in the format's in-stream error shape. */
  fail(error: GatewayError): void;
}

export interface WireFormat {
  readonly name: WireFormatName;
  /** Whose API key a client of this format may send along (forwarded only to that provider's official endpoint). */
  readonly keyProvider?: 'anthropic' | 'openai';
  /** Throws GatewayError (badRequest) with a message naming the field. */
  parse(body: unknown): ParsedCall;
  /** The status, body and headers of an error answer. */
  error(e: GatewayError): { status: number; body: unknown };
  /** The non-streaming answer body. */
  complete(answer: Answer, call: ParsedCall): unknown;
  /** `text/event-stream` or `application/x-ndjson`. */
  readonly streamContentType: string;
  /** Starts a streamed answer; `write` sends raw text to the client. */
  stream(write: (chunk: string) => void, start: AnswerStart, call: ParsedCall): StreamWriter;
}

/** One server-sent event. */
export function sseEvent(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Reads an optional positive number field. */
export function positiveNumber(v: unknown, field: string, fail: (m: string) => never): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return fail(`${field} must be a non-negative number`);
  return v;
}

/** Throws the format's 400 with a message naming the field. */
export const bad = (message: string): never => { throw new GatewayError(message, 'badRequest'); };
