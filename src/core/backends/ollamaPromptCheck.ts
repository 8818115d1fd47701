// Did Ollama evaluate the prompt Rightsize sent? `prompt_eval_count` counts the prompt tokens Ollama
// evaluated. It is lower than what was sent for one good reason: Ollama keeps the previous prompt of a
// model in its KV cache and does not evaluate the shared beginning again (an agent's tool-loop
// continuation re-sends the whole history). Anything lower than that explains means the prompt was cut
// (a server that ignores num_ctx, a proxy, an old Ollama): the answer was written without the prompt's
// start, and the user should know.
//
// The cache explains at most the common prefix of this prompt and the previous one sent to the same
// model (in characters of the serialised messages, turned into tokens in proportion). Our tokenizer is
// not the model's, so a shortfall counts only beyond TOKENIZER_TOLERANCE and MIN_SHORTFALL_TOKENS.

/** Relative difference between our token count and the model's tokenizer that is not a cut. */
export const TOKENIZER_TOLERANCE = 0.3;
/** Shortfalls smaller than this are noise (chat templates, special tokens). */
export const MIN_SHORTFALL_TOKENS = 256;

export interface PromptEvalFinding {
  sentTokens: number;
  evaluatedTokens: number;
  /** Tokens the KV cache can explain (common prefix with the previous prompt to this model). */
  reusableTokens: number;
  /** Set when the shortfall is beyond what the cache and tokenizers explain. */
  warning?: string;
}

/** Remembers the last prompt sent to each model (in memory only), to know what Ollama's cache holds. */
export class PromptEvalCheck {
  private readonly lastPrompt = new Map<string, string>();

  constructor(private readonly maxModels = 16) {}

  /** Call before sending: returns the tokens of this prompt that Ollama's cache could hold. */
  reusableTokens(modelId: string, serialisedPrompt: string, sentTokens: number): number {
    const previous = this.lastPrompt.get(modelId);
    this.lastPrompt.delete(modelId);
    this.lastPrompt.set(modelId, serialisedPrompt);
    while (this.lastPrompt.size > this.maxModels) this.lastPrompt.delete(this.lastPrompt.keys().next().value as string);
    if (!previous || serialisedPrompt.length === 0) return 0;
    const common = commonPrefixLength(previous, serialisedPrompt);
    return Math.floor(sentTokens * (common / serialisedPrompt.length));
  }

  /** Call with Ollama's prompt_eval_count. */
  static judge(args: { modelId: string; numCtx: number; sentTokens: number; evaluatedTokens: number; reusableTokens: number }): PromptEvalFinding {
    const { modelId, numCtx, sentTokens, evaluatedTokens, reusableTokens } = args;
    const finding: PromptEvalFinding = { sentTokens, evaluatedTokens, reusableTokens };
    const expectedAtLeast = (sentTokens - reusableTokens) * (1 - TOKENIZER_TOLERANCE);
    if (evaluatedTokens < expectedAtLeast && sentTokens - reusableTokens - evaluatedTokens >= MIN_SHORTFALL_TOKENS) {
      finding.warning = `Ollama evaluated only ${evaluatedTokens} of the ~${sentTokens} prompt tokens Rightsize sent to ${modelId} (window num_ctx ${numCtx}; `
        + `its cache of the previous request explains at most ${reusableTokens}). The start of the prompt was probably dropped, so the answer may ignore instructions or context. `
        + 'Check that the server at rightsize.ollama.host is Ollama itself (not a proxy that drops options) and up to date.';
    }
    return finding;
  }
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  // Compare in blocks first (fast path for long shared histories), then character by character.
  let i = 0;
  const block = 1024;
  while (i + block <= n && a.slice(i, i + block) === b.slice(i, i + block)) i += block;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
