// Shared types of the Rightsize core. This file is the contract between modules: the pipeline
//   door -> ChatRequest -> Router.decide -> BudgetGate.admit -> Backend.stream -> Meter.record -> Ledger
// No `vscode` import anywhere under src/core.

// ---------------------------------------------------------------------------------------------
// Requests

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface TextPart { type: 'text'; text: string }
export interface ToolCallPart { type: 'toolCall'; callId: string; name: string; input: Record<string, unknown> }
export interface ToolResultPart { type: 'toolResult'; callId: string; content: string; isError?: boolean }
export interface ImagePart { type: 'image'; mimeType: string; bytes: number; dataBase64?: string }
export type MessagePart = TextPart | ToolCallPart | ToolResultPart | ImagePart;

export interface ChatMessage {
  role: Role;
  /** A plain string is shorthand for one text part. */
  content: string | MessagePart[];
}

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON schema of the tool's input. */
  inputSchema?: Record<string, unknown>;
}

/** Where a request entered. */
export type Surface = 'chat' | 'gateway' | 'inline' | 'import' | 'cli';

export interface WorkspaceRef {
  /** Stable hash of the workspace's folder URIs (never the path itself). */
  id: string;
  name: string;
}

/** A request normalised by a door. */
export interface ChatRequest {
  id: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  surface: Surface;
  workspace: WorkspaceRef;
  session: string;
  /** Caller's cap on output tokens, if any. */
  maxOutputTokens?: number;
  /** Pre-counted input tokens (when the door already knows them). */
  contextTokens?: number;
  /** Fill-in-the-middle: text after the cursor (inline completions). */
  suffix?: string;
  /** Sampling temperature, passed through to backends. */
  temperature?: number;
  /** The caller's trace (Copilot passes one), so exported spans join it. */
  trace?: TraceContext;
  /** The client program (gateway: from its user agent, e.g. `claude-code`, `codex`, `openai-sdk`). */
  client?: string;
  /** The client's own conversation id when it gives one (Copilot Chat's `modelOptions._conversationId`). */
  conversationId?: string;
}

/** A W3C trace context: 32 and 16 lowercase hex digits. */
export interface TraceContext { traceId: string; spanId: string; traceFlags?: number }

// ---------------------------------------------------------------------------------------------
// Models

export type Location = 'local' | 'cloud';
export type Provider = 'ollama' | 'openai' | 'anthropic' | 'google' | 'copilot' | 'openai-compatible';
export type TokenizerName = 'o200k_base' | 'cl100k_base';

/** A number that may be unpublished: min === max when known exactly. */
export interface Bounds { min: number; max: number }

/** USD per million tokens. */
export interface ModelPrices {
  inputPerMTokUsd: number;
  cachedInputPerMTokUsd?: number;
  cacheWritePerMTokUsd?: number;
  outputPerMTokUsd: number;
  /** Defaults to the output price when absent (reasoning tokens bill as output). */
  reasoningPerMTokUsd?: number;
  /** ISO date the prices were read. */
  date: string;
  source: string;
}

export interface ModelSpec {
  /** Exactly as the provider's API spells it (Ollama: the tag, e.g. `qwen2.5-coder:7b`). */
  id: string;
  displayName: string;
  provider: Provider;
  location: Location;
  family?: string;
  /** Parameters in billions. */
  params: { totalB: Bounds; activeB: Bounds };
  contextTokens: number;
  maxOutputTokens: number;
  tools: boolean;
  vision?: boolean;
  /** Coding capability on a 0–100 scale, from a public benchmark. */
  capability: { score: number; benchmark: string; source: string };
  prices?: ModelPrices;
  /** Data-centre power usage effectiveness (cloud). */
  pue?: number;
  tokenizer: TokenizerName;
  /** Every number above has a source here, keyed by field name. */
  sources: Record<string, string>;
  /** True when described from Ollama's /api/show rather than the catalog. */
  derived?: boolean;
  /** An Ollama model that actually runs remotely (`-cloud` models, `remote_host`). */
  remote?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Estimates

export type TokenSource = 'reported' | 'counted' | 'estimated';

/** `input` includes `cachedInput` (and `cacheWrite`); `output` includes `reasoning`. */
export interface TokenCounts {
  input: number;
  cachedInput: number;
  output: number;
  reasoning: number;
  /** Of the input, tokens written to the provider's prompt cache (billed at the cache-write price). */
  cacheWrite?: number;
}

export interface EnergyEstimate {
  /** Central estimate in watt-hours. */
  wh: number;
  low: number;
  high: number;
  /** e.g. `local-profile`, `local-nvidia-smi`, `cloud-params`. */
  method: string;
}

export interface CostEstimate {
  usd: number;
  method: string;
  /** GitHub Copilot plans still billed per premium request: the requests this one counts (model multiplier). */
  premiumRequests?: number;
}
export interface CarbonEstimate {
  g: number;
  gPerKwh: number;
  /** Grid region of the electricity (`gridIntensityGPerKwh` ids, e.g. `us`), when known. */
  region?: string;
  /** Embodied (manufacturing) emissions of the hardware share, g CO2e; in `g` only when the user asks. */
  embodiedG?: number;
}

export interface Estimate {
  model: string;
  tokens: TokenCounts;
  energy: EnergyEstimate;
  cost: CostEstimate;
  carbon: CarbonEstimate;
}

// ---------------------------------------------------------------------------------------------
// Router

export type TaskClass =
  | 'completion' | 'explain' | 'document' | 'test' | 'fix' | 'refactor'
  | 'multiFile' | 'design' | 'agentic';

export type Objective = 'energy' | 'money' | 'balanced';
export type RoutingMode = 'auto' | 'suggest' | 'off';
export type DecisionMode = 'auto' | 'suggest' | 'manual';

export interface Decision {
  /** The model the router chose (auto) or would choose (suggest). */
  model: string;
  /** Its provider: ids are unique per provider only (GitHub Copilot offers models under their makers' ids). */
  provider?: Provider;
  location: Location;
  task: TaskClass;
  /** Required capability score (0–100) derived from task and difficulty. */
  requiredCapability: number;
  /** One line a human reads. */
  reason: string;
  runnerUp?: { model: string; reason: string };
  /** Estimate for the chosen model. */
  estimate: Estimate;
  /** Estimate for the workspace's reference (largest configured) model. */
  reference?: Estimate;
  /** Other allowed candidates, cheapest first, with their estimates. */
  alternatives: Estimate[];
  /** Signals seen, for the routing log. */
  signals: string[];
}

// ---------------------------------------------------------------------------------------------
// Budgets

export type BudgetPeriod = 'session' | 'day' | 'week' | 'month';
export type BudgetUnit = 'tokens' | 'wh' | 'usd';
export type BudgetAction = 'warn' | 'preferLocal' | 'block';
export type BudgetLevel = 'ok' | 'warn' | 'exceeded';

export type BudgetLimits = Partial<Record<BudgetPeriod, Partial<Record<BudgetUnit, number>>>>;

export interface BudgetPolicy {
  limits: BudgetLimits;
  /** Fraction (0–1) at which the level becomes `warn`. Default 0.8. */
  warnAt: number;
  action: BudgetAction;
}

export interface BudgetLine {
  period: BudgetPeriod;
  unit: BudgetUnit;
  limit: number;
  used: number;
  /** Reserved by requests in flight. */
  reserved: number;
  fraction: number;
  level: BudgetLevel;
}

// ---------------------------------------------------------------------------------------------
// Backends

export interface BackendUsage {
  tokens: TokenCounts;
  source: TokenSource;
  durationMs: number;
  ttftMs?: number;
  /**
   * Ollama's nanosecond timings, when the backend is Ollama; with the window sent (`num_ctx`), the prompt
   * tokens Rightsize counted before sending, and a warning when Ollama evaluated far fewer.
   */
  ollama?: { promptEvalNs: number; evalNs: number; loadNs: number; totalNs: number; numCtx?: number; sentTokens?: number; warning?: string };
  doneReason?: string;
  /** What was wrong with what the server reported (e.g. an unusable token count, estimated instead), for the log. */
  warnings?: string[];
}

export type StreamPart =
  | { type: 'text'; text: string }
  | { type: 'toolCall'; callId: string; name: string; input: Record<string, unknown> }
  | { type: 'usage'; usage: BackendUsage };

export interface Backend {
  readonly provider: Provider;
  /** Streams the answer; the last part is `usage`. Aborting the signal stops the request at once. */
  stream(model: ModelSpec, request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamPart>;
}

// BackendError (and its kinds) lives with the backends; re-exported here for the modules that use the contract.
export { BackendError } from './backends/types';
export type { BackendErrorKind } from './backends/types';

// ---------------------------------------------------------------------------------------------
// The usage record (ledger schema v1, DESIGN.md)

export type Outcome = 'ok' | 'error' | 'cancelled' | 'blocked';

export interface UsageRecord {
  v: 1;
  id: string;
  /** ISO 8601. */
  ts: string;
  session: string;
  workspace: WorkspaceRef;
  surface: Surface;
  task: TaskClass;
  decision: {
    suggested: string;
    chosen: string;
    mode: DecisionMode;
    followed: boolean;
    reason: string;
  };
  model: { id: string; provider: Provider; location: Location };
  tokens: TokenCounts & { source: TokenSource };
  durationMs: number;
  ttftMs?: number;
  energy: EnergyEstimate;
  cost: CostEstimate;
  carbon: CarbonEstimate;
  /** What the same tokens would have cost on the workspace's reference model. */
  counterfactual?: { model: string; wh: number; usd: number; gco2e: number };
  /** Suggest mode, suggestion not followed: what the suggested model would have cost for the same tokens. */
  suggestedEstimate?: { model: string; wh: number; usd: number };
  outcome: Outcome;
  error?: string;
  /** Imports (surface `import`): which assistant's logs or telemetry it came from, and its key there. */
  import?: { source: ImportSource; key: string };
  /** The caller's trace context, when it passed one (see ChatRequest.trace). */
  trace?: TraceContext;
  /**
   * Ollama requests: the context window used (`num_ctx`), the prompt tokens Rightsize sent (counted) and
   * those Ollama evaluated (`prompt_eval_count`: a prefix reused from its KV cache is not evaluated again),
   * and the warning when the difference is more than that explains.
   */
  ollama?: { numCtx: number; sentTokens: number; evaluatedTokens: number; warning?: string };
  /** The client program that sent it (gateway), see ChatRequest.client. */
  client?: string;
  /** The conversation turn this request belongs to (conversation.ts): hashed ids, no text. `attempt` 2 is
   * the escalation after the turn's model failed (the failed attempt has its own record, outcome `error`). */
  turn?: TurnRef;
}

/** A request's place in its conversation (UsageRecord.turn). */
export interface TurnRef {
  conversation: string;
  id: string;
  /** A tool-loop continuation (kept on the turn's model, not routed). */
  continuation: boolean;
  /** 1, or 2 after an escalation within the turn. */
  attempt: number;
}

/** Usage Rightsize did not route but imported: Claude Code's and Codex's logs, Copilot Chat's OpenTelemetry. */
export type ImportSource = 'claude-code' | 'codex' | 'copilot-otel';

// ---------------------------------------------------------------------------------------------
// Reports (what the CLI prints and the panel draws: aggregated, never raw ledgers)

export interface Totals {
  requests: number;
  tokens: { input: number; cachedInput: number; output: number; reasoning: number };
  wh: number;
  whLow: number;
  whHigh: number;
  usd: number;
  gco2e: number;
  /** Requests served by local models. */
  localRequests: number;
  localWh: number;
  cloudWh: number;
  /** Counterfactual minus actual, summed over records that carry a counterfactual. */
  savedWh: number;
  savedUsd: number;
}

export interface DayRow extends Totals { day: string /* YYYY-MM-DD, local time */; byModel: Record<string, { wh: number; usd: number; requests: number }> }
export interface ModelRow extends Totals { model: string; provider: Provider; location: Location }

export interface TopRequest {
  id: string; ts: string; task: TaskClass; model: string;
  tokens: { input: number; output: number }; wh: number; usd: number;
}

export interface UsageReport {
  period: { kind: BudgetPeriod | 'lastWeek' | 'last30Days' | 'custom'; start: string; end: string };
  workspace?: string;
  totals: Totals;
  days: DayRow[];
  models: ModelRow[];
  /** Savings that suggestions not followed would have brought (suggest mode). */
  missedSavings: { requests: number; wh: number; usd: number };
  top: TopRequest[];
  /** Lines that could not be parsed while reading. */
  corruptLines: number;
}
