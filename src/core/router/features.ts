// Structural features of a request, read once per decision from its envelope (envelope.ts): the current
// turn's instruction (the user's own words; task cues come from it alone), the shape of the pasted context
// (contextShape.ts: code, files, stack traces…), and the shape of the conversation (tools, history length,
// the tool calls and results of this turn). Everything the classifier and the difficulty signals look at.
import type { ChatRequest, Surface } from '../types';
import { Envelope, readEnvelope } from './envelope';

/** Longest slice of instruction plus context searched for stack traces (characters). */
export const MAX_SCAN_CHARS = 60_000;
/** Longest slice of the instruction searched for intent keywords (characters). */
export const MAX_PROSE_CHARS = 6_000;

export interface RequestFeatures {
  /** The instruction, then the context (capped at MAX_SCAN_CHARS): where stack traces are looked for. */
  text: string;
  /** The instruction (the user's words, without pasted code, traces or host blocks), capped at
   * MAX_PROSE_CHARS (head and tail kept). Task and keyword cues read this only. */
  prose: string;
  /** Fenced code blocks and attached files of this turn. */
  codeBlocks: number;
  /** Distinct files the instruction names or the context attaches, or the count the instruction states
   * ("these 6 files"), whichever is larger. */
  files: number;
  /** Messages other than system messages. */
  messages: number;
  userTurns: number;
  /** Tool calls and results of the current turn (since the user's message that opened it). */
  toolCalls: number;
  toolResults: number;
  /** Tools offered to the model in this request. */
  tools: number;
  /** True when the request carries a fill-in-the-middle suffix. */
  hasSuffix: boolean;
  surface: Surface;
  /** True when the request is a tool-loop continuation (ends in tool results of this turn). */
  endsWithToolResult: boolean;
  /** The envelope the features were read from. */
  envelope: Envelope;
}

/** The request's envelope as a door reads it. */
/** The request's envelope as a door reads it; read once per request (cached on the request object while its
 * messages, last message, tools and suffix are the same objects: doors build a request once and do not
 * change it, and a request that grows gets read again). */
export function envelopeOf(request: ChatRequest): Envelope {
  const messages = request.messages;
  const last = messages.length > 0 ? messages[messages.length - 1] : undefined;
  const hit = ENVELOPES.get(request);
  if (hit && hit.messages === messages && hit.length === messages.length && hit.last === last && hit.tools === request.tools && hit.suffix === request.suffix) {
    return hit.envelope;
  }
  const envelope = readEnvelope(messages, request.tools, typeof request.suffix === 'string' ? { suffix: request.suffix } : undefined);
  ENVELOPES.set(request, { messages, length: messages.length, last, tools: request.tools, suffix: request.suffix, envelope });
  return envelope;
}

interface CachedEnvelope {
  messages: ChatRequest['messages'];
  length: number;
  last: ChatRequest['messages'][number] | undefined;
  tools: ChatRequest['tools'];
  suffix: string | undefined;
  envelope: Envelope;
}
const ENVELOPES = new WeakMap<ChatRequest, CachedEnvelope>();

export function extractFeatures(request: ChatRequest, envelope: Envelope = envelopeOf(request)): RequestFeatures {
  const messages = request.messages;
  let nonSystem = 0;
  let toolCalls = 0;
  let toolResults = 0;
  const from = envelope.turnStart < 0 ? 0 : envelope.turnStart;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'system') continue;
    nonSystem++;
    if (i <= from) continue;
    if (m.role === 'tool') toolResults++;
    if (typeof m.content === 'string') continue;
    for (const p of m.content) {
      if (p.type === 'toolCall') toolCalls++;
      else if (p.type === 'toolResult' && m.role !== 'tool') toolResults++;
    }
  }
  const read = readOnce(envelope);
  return {
    text: read.text,
    prose: read.prose,
    codeBlocks: envelope.shape.codeBlocks,
    files: envelope.shape.filesNamed,
    messages: nonSystem,
    userTurns: envelope.userTurns,
    toolCalls,
    toolResults,
    tools: envelope.toolCount,
    hasSuffix: typeof request.suffix === 'string',
    surface: request.surface,
    endsWithToolResult: envelope.toolLoopContinuation,
    envelope,
  };
}

/** What extractFeatures derives from an envelope's text, derived once per envelope (a request's envelope is
 * read once; the router may decide on the same request more than once: an escalation, the budget's retry). */
interface EnvelopeText { instruction: string; context: string; text: string; prose: string; stackTrace?: boolean }
const TEXTS = new WeakMap<Envelope, EnvelopeText>();

function readOnce(envelope: Envelope): EnvelopeText {
  const { instruction, context } = envelope;
  const hit = TEXTS.get(envelope);
  if (hit && hit.instruction === instruction && hit.context === context) return hit;
  let text = context.length === 0 ? instruction : `${instruction}\n${context}`;
  if (text.length > MAX_SCAN_CHARS) text = text.slice(0, MAX_SCAN_CHARS);
  const read: EnvelopeText = { instruction, context, text, prose: capProse(instruction) };
  TEXTS.set(envelope, read);
  return read;
}

/** Whether `f.text` holds a stack trace (`detect`: the classifier's detector), scanned once per envelope. */
export function stackTraceOnce(f: RequestFeatures, detect: (text: string) => boolean): boolean {
  const read = TEXTS.get(f.envelope);
  if (!read || read.text !== f.text) return detect(f.text);
  if (read.stackTrace === undefined) read.stackTrace = detect(read.text);
  return read.stackTrace;
}

function capProse(prose: string): string {
  if (prose.length <= MAX_PROSE_CHARS) return prose;
  // Keep the head (the question usually comes first) and the tail (or last, after pasted material).
  const half = MAX_PROSE_CHARS / 2;
  return prose.slice(0, half) + '\n' + prose.slice(prose.length - half);
}
