// The context window (`options.num_ctx`) of each Ollama request.
//
// Ollama evaluates a prompt inside a window of `num_ctx` tokens; without it, its default (4096 tokens, or
// OLLAMA_CONTEXT_LENGTH) applies and a longer prompt loses its start without a word (an Agent-mode prompt
// is ~17k tokens: Copilot's instructions and tool rules would be the part dropped). So every request
// names a window:
//   need   = (prompt tokens + expected output tokens) / (1 - WINDOW_SAFETY_MARGIN)   (our tokenizer is not
//            the model's; the router keeps the same margin, router.ts CONTEXT_SAFETY_MARGIN)
//   window = the smallest step of WINDOW_STEPS_TOKENS >= need, and never smaller than the window this
//            conversation already used (changing num_ctx makes Ollama reload the model, so a conversation
//            keeps one window while its prompts fit it; it grows only by whole steps)
//   cap    = min(the model's context_length from /api/show, what fits in memory: (memory x
//            MEMORY_USABLE_FRACTION - the weights) / KV-cache bytes per token)
// A window above the cap is cut to the cap when the prompt and at least MIN_OUTPUT_TOKENS still fit (the
// output is then limited with num_predict, so Ollama never shifts the prompt out); otherwise the request
// is refused before anything is sent, with a message that says why (the router already keeps such
// prompts away from the model, see modelRegistry: an Ollama model's contextTokens is this cap).
import type { OllamaShowInfo } from '../catalog/ollamaModels';
import type { ModelSpec } from '../types';

/** Windows Rightsize asks for: few, so a conversation's growing prompt rarely changes them. */
export const WINDOW_STEPS_TOKENS: readonly number[] = [4096, 8192, 16_384, 32_768, 65_536, 131_072, 262_144, 524_288, 1_048_576];
/** Share of the window kept free for tokenizer differences and the chat template. */
export const WINDOW_SAFETY_MARGIN = 0.1;
/** Output reserved when the caller sets no maximum (an agent's step: a tool call or a short answer). */
export const DEFAULT_OUTPUT_RESERVE_TOKENS = 4096;
/** Least output room a request is sent with when the window is cut to the cap. */
export const MIN_OUTPUT_TOKENS = 1024;
/** Share of the machine's memory that weights plus KV cache may take (the rest: OS, editor, Ollama). */
export const MEMORY_USABLE_FRACTION = 0.8;
/** KV cache element size: Ollama's default cache type is f16 (OLLAMA_KV_CACHE_TYPE). */
export const KV_BYTES_PER_ELEMENT = 2;
/** Ollama's default context when a model reports none. */
export const OLLAMA_FALLBACK_CONTEXT_TOKENS = 4096;

/** What limits a model's window on this Ollama. */
export interface OllamaWindowLimits {
  /** `<arch>.context_length` from /api/show. */
  contextLengthTokens?: number;
  /** KV cache per token: 2 (K and V) x layers x KV heads x head size x KV_BYTES_PER_ELEMENT. */
  kvBytesPerToken?: number;
  /** Size of the weights (from /api/tags). */
  weightsBytes?: number;
  /** Ollama runs the model on another host (`-cloud` models): this machine's memory does not cap it. */
  remote?: boolean;
}

/** The largest window this model can use here, and what sets it. */
export interface WindowCap {
  tokens: number;
  /** e.g. `context_length 32k` or `memory: 24 GiB`. */
  limitedBy: string;
}

export type WindowChoice =
  | { ok: true; numCtx: number; /** Set when the output had to be limited to fit the window. */ numPredict?: number }
  | { ok: false; message: string };

/** Reads the limits of a model from its /api/show (and /api/tags size). */
export function windowLimitsFromShow(show: OllamaShowInfo | undefined, weightsBytes?: number): OllamaWindowLimits {
  const info = show?.model_info ?? {};
  const arch = typeof info['general.architecture'] === 'string' ? (info['general.architecture'] as string) : undefined;
  const num = (key: string): number | undefined => {
    const v = arch ? info[`${arch}.${key}`] : undefined;
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const out: OllamaWindowLimits = {};
  const ctx = num('context_length') ?? Object.entries(info).find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number' && v > 0)?.[1] as number | undefined;
  if (ctx) out.contextLengthTokens = ctx;
  const layers = num('block_count');
  const heads = num('attention.head_count');
  const kvHeads = num('attention.head_count_kv') ?? heads;
  const embedding = num('embedding_length');
  const keyLength = num('attention.key_length') ?? (embedding && heads ? embedding / heads : undefined);
  const valueLength = num('attention.value_length') ?? keyLength;
  if (layers && kvHeads && keyLength && valueLength) out.kvBytesPerToken = layers * kvHeads * (keyLength + valueLength) * KV_BYTES_PER_ELEMENT;
  if (weightsBytes !== undefined && weightsBytes > 0) out.weightsBytes = weightsBytes;
  if (show?.remote_host) out.remote = true;
  return out;
}

/** The largest window a model can use: its context length, and what the memory holds besides the weights. */
export function windowCap(limits: OllamaWindowLimits, memoryBytes: number | undefined): WindowCap {
  const context = limits.contextLengthTokens ?? OLLAMA_FALLBACK_CONTEXT_TOKENS;
  let cap: WindowCap = { tokens: context, limitedBy: limits.contextLengthTokens ? `its context_length ${fmtK(context)}` : `no context_length reported (Ollama's default ${fmtK(context)})` };
  if (memoryBytes && memoryBytes > 0 && limits.kvBytesPerToken && !limits.remote) {
    const free = memoryBytes * MEMORY_USABLE_FRACTION - (limits.weightsBytes ?? 0);
    // A model whose weights barely fit still gets Ollama's own default window: loading it is Ollama's call.
    const fits = Math.max(OLLAMA_FALLBACK_CONTEXT_TOKENS, Math.floor(free / limits.kvBytesPerToken / 1024) * 1024);
    if (fits < cap.tokens) cap = { tokens: fits, limitedBy: `memory: ${fmtGiB(memoryBytes)} (weights ${fmtGiB(limits.weightsBytes ?? 0)}, KV cache ${Math.round(limits.kvBytesPerToken / 1024)} KiB per token)` };
  }
  return cap;
}

/** A local Ollama model's spec with the window it can really use here (what the router fits prompts in). */
export function withWindowCap(spec: ModelSpec, cap: WindowCap | undefined): ModelSpec {
  if (!cap || spec.location !== 'local' || cap.tokens === spec.contextTokens) return spec;
  return {
    ...spec, contextTokens: cap.tokens, maxOutputTokens: Math.min(spec.maxOutputTokens, cap.tokens),
    sources: { ...spec.sources, contextTokens: `ollama: ${cap.limitedBy}` },
  };
}

/** Tokens of window a prompt and its output need, margin included. */
export function neededWindowTokens(promptTokens: number, outputTokens: number): number {
  return Math.ceil((Math.max(0, promptTokens) + Math.max(0, outputTokens)) / (1 - WINDOW_SAFETY_MARGIN));
}

/** The smallest step >= tokens (the largest step beyond the ladder). */
export function stepUp(tokens: number): number {
  for (const s of WINDOW_STEPS_TOKENS) if (s >= tokens) return s;
  return WINDOW_STEPS_TOKENS[WINDOW_STEPS_TOKENS.length - 1];
}

export interface WindowRequest {
  /** Whose window to keep stable (a conversation's id). */
  conversationId: string;
  modelId: string;
  promptTokens: number;
  /** The caller's cap on output, if any. */
  maxOutputTokens?: number;
  cap: WindowCap;
}

/** Chooses windows, remembering each conversation's so its requests keep one (bounded memory). */
export class ContextWindowChooser {
  private readonly byConversation = new Map<string, number>();

  constructor(private readonly maxConversations = 256) {}

  choose(r: WindowRequest): WindowChoice {
    const output = r.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVE_TOKENS;
    const want = Math.max(stepUp(neededWindowTokens(r.promptTokens, output)), this.byConversation.get(r.conversationId) ?? 0);
    let choice: WindowChoice;
    if (want <= r.cap.tokens) {
      choice = { ok: true, numCtx: want };
    } else {
      const room = Math.floor(r.cap.tokens * (1 - WINDOW_SAFETY_MARGIN)) - r.promptTokens;
      if (room >= Math.min(MIN_OUTPUT_TOKENS, output)) {
        choice = { ok: true, numCtx: r.cap.tokens, ...(room < output ? { numPredict: room } : {}) };
      } else {
        return {
          ok: false,
          message: `The prompt is about ${fmtK(r.promptTokens)} tokens, more than ${r.modelId} can take here: its largest window is ${fmtK(r.cap.tokens)} tokens (${r.cap.limitedBy}). `
            + 'Rightsize did not send it, because Ollama would silently drop the start of the prompt. Pick a model with a larger context window (or Rightsize Auto), or start a new chat with less context.',
        };
      }
    }
    this.remember(r.conversationId, choice.numCtx);
    return choice;
  }

  /** The window a conversation uses now, if it has one. */
  windowOf(conversationId: string): number | undefined {
    return this.byConversation.get(conversationId);
  }

  private remember(conversationId: string, numCtx: number): void {
    this.byConversation.delete(conversationId);
    this.byConversation.set(conversationId, numCtx);
    while (this.byConversation.size > this.maxConversations) this.byConversation.delete(this.byConversation.keys().next().value as string);
  }
}

function fmtK(tokens: number): string {
  return tokens >= 1024 && tokens % 1024 === 0 ? `${tokens / 1024}k` : tokens >= 10_000 ? `${Math.round(tokens / 1000)}k` : String(tokens);
}

function fmtGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
