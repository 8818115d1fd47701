// Difficulty signals: things in a request that make a weaker model likely to fail. Each signal raises the
// required capability score by a fixed, documented amount (SIGNAL_RAISE); raises add up, and the total is
// clamped to 0–100 by the caller.
//
// | signal          | raise | seen when                                                                    |
// |-----------------|------:|------------------------------------------------------------------------------|
// | stackTrace      |    +2 | a runtime stack trace is pasted (Node, Python, JVM, .NET, Go, Rust, Ruby, PHP)|
// | concurrency     |   +30 | race, deadlock, mutex, lock, atomic, thread safety, async ordering            |
// | security        |   +30 | auth, crypto, injection, XSS/CSRF, CVE, vulnerabilities, secrets              |
// | performance     |   +10 | performance, slow, optimise, latency, throughput, profiling, memory leaks     |
// | distributed     |    +7 | multi-region, replication, consensus, failover, an outage to tolerate,       |
// |                 |       | consistency trade-offs, a rate in requests/s: a design question at 70 then   |
// |                 |       | needs 77, frontier models (claude-sonnet-4-5 77.2 and up), not gpt-5-mini    |
// | manyFiles       |  +5/8 | 3–5 / 6+ files named or stated, or "across the codebase" (counts as 3)        |
// | manyCodeBlocks  |    +3 | 3+ fenced code blocks in the message                                          |
// | longHistory     | +5/10 | 12+ / 30+ messages in the conversation                                        |
// | largeContext    | +5/10 | 16k+ / 64k+ tokens of the conversation's own material: the user's words,      |
// |                 |       | pasted and attached context, earlier turns, tool results (the envelope's      |
// |                 |       | conversationChars at CONTEXT_CHARS_PER_TOKEN, at most the input tokens), not  |
// |                 |       | the host's system prompt, reminders or tool schemas: VS Code's Agent mode     |
// |                 |       | sends ~13k tokens of those with a one-line request. Not for agentic requests: |
// |                 |       | an agent loop's context is large by nature; its length counts once, through   |
// |                 |       | longHistory                                                                   |
// | depth           |   +10 | explicit request for depth: "think carefully", "step by step", "edge cases"… |
//
// The amounts are points of the catalog's capability scale (Aider polyglot, see requirements.ts), which is
// compressed at the bottom: +2 barely moves a task within the small local coders (a stack trace mostly
// helps locate the bug), while +30 takes a fix (10) past every Qwen2.5-Coder size to the 50+ models —
// concurrency and security bugs are where small models fail quietly.
//
// Keyword signals read the prose of the last user message (text outside code fences), so identifiers in
// pasted code (`authToken`, `mutex.lock()`) do not count; stack traces are looked for in the whole message.
// Completions (inline / FIM) take only the largeContext signal: their "prose" is code.
import type { RequestFeatures } from './features';

export const SIGNAL_RAISE = {
  stackTrace: 2,
  concurrency: 30,
  security: 30,
  performance: 10,
  distributed: 7,
  manyFilesSome: 5,
  manyFilesMany: 8,
  manyCodeBlocks: 3,
  longHistory: 5,
  veryLongHistory: 10,
  largeContext: 5,
  veryLargeContext: 10,
  depth: 10,
} as const;

export const THRESHOLDS = {
  manyFilesSome: 3,
  manyFilesMany: 6,
  manyCodeBlocks: 3,
  longHistoryMessages: 12,
  veryLongHistoryMessages: 30,
  largeContextTokens: 16_000,
  veryLargeContextTokens: 64_000,
} as const;

/** Characters per token for the conversation's material without tokenising it again (the door counted the
 * whole request once): 4, between code (~3.7 with the o200k tokenizer on the captured Agent tool result) and
 * English prose (~4.7 on the captured Copilot messages). */
export const CONTEXT_CHARS_PER_TOKEN = 4;

/** Tokens of the conversation's own material (see largeContext above): its characters at
 * CONTEXT_CHARS_PER_TOKEN, never more than the request's counted input tokens. */
export function contextTokens(inputTokens: number, conversationChars: number): number {
  return Math.min(inputTokens, Math.ceil(conversationChars / CONTEXT_CHARS_PER_TOKEN));
}

const CONCURRENCY_RE =
  /\b(?:race conditions?|data races?|racy|races?|deadlocks?|livelocks?|mutex(?:es)?|semaphores?|lock(?:s|ing)?|atomic(?:s|ally|ity)?|thread[- ]safe(?:ty)?|multi-?thread\w*|concurren\w*|in parallel|parallelism|interleav\w*|async(?:hronous)? (?:ordering|order|queue)|out of order|promise ordering|goroutines?|reentran\w*|condition variables?|memory ordering)\b/i;
const SECURITY_RE =
  /\b(?:auth|authn|authz|authenticat\w*|authori[sz]\w*|oauth\w*|jwt|sso|saml|crypto\w*|encrypt\w*|decrypt\w*|password\w*|csrf|xss|ssrf|(?:sql |command |code |prompt )?injection|cve-\d{4}-\d+|cve|vulnerab\w*|sanitiz\w*|sanitis\w*|secrets?|privilege\w*|exploit\w*|permissions?|tls|certificates?|security)\b/i;
const PERFORMANCE_RE =
  /\b(?:performance|perf|slow(?:er|ly|ness|down)?|optimi[sz]\w*|latency|throughput|bottlenecks?|profil(?:e|ing|er)|faster|speed ?up|hot path|memory (?:leaks?|usage|footprint)|allocations?|o\(n\^?2\)|o\(n log n\)|quadratic|cache misses)\b/i;
const DISTRIBUTED_RE =
  /\b(?:multi-?region|cross-?region|geo-?distributed|distributed (?:systems?|cache|lock|queue|transactions?|rate limit\w*)|replicat(?:ion|ed|e|ing)|consensus|raft|paxos|quorum|failover|(?:region|datacenter|data centre|zone) outages?|partition toleran\w*|eventual(?:ly)? consisten\w*|strong(?:ly)? consisten\w*|consistency (?:model|guarantees?|trade-?offs?)|\d[\d,.]*k? (?:requests|req|writes|reads|events|messages)\s*(?:\/|per )\s*(?:s|sec|second)\b|\d[\d,.]*k? ?(?:rps|qps))/i;
const DEPTH_RE =
  /\b(?:think (?:carefully|hard|deeply|it through|step by step)|step[- ]by[- ]step|in[- ]depth|thorough(?:ly)?|deep[- ]dive|rigorous(?:ly)?|carefully|(?:all |the )?edge cases|corner cases|prove|formally|comprehensive(?:ly)?|detailed analysis)\b/i;

export interface DifficultyInput {
  features: RequestFeatures;
  /** Where the user says what to do (taskClassifier askOf): keyword signals are read here only. */
  ask?: string;
  /** The requirement comes from the fitted model (difficultyModel.ts), which already reads the size and shape
   * of the problem: the structural signals (stack trace, files, code blocks, context size) are not added
   * again, only what the user asks for (concurrency, security, performance, depth) and conversation length. */
  calibrated?: boolean;
  /** The request's input tokens as the door counted them (host text and tool schemas included). */
  inputTokens: number;
  hasStackTrace: boolean;
  multiFilePhrase: boolean;
  completion: boolean;
  agentic: boolean;
}

export interface Difficulty {
  /** Sum of the raises. */
  raise: number;
  /** e.g. `concurrency+15`, `manyFiles:6+15`. */
  signals: string[];
}

export function difficulty(input: DifficultyInput): Difficulty {
  const f = input.features;
  let raise = 0;
  const signals: string[] = [];
  const push = (name: string, amount: number): void => {
    raise += amount;
    signals.push(`${name}+${amount}`);
  };

  const structural = !input.calibrated;
  if (!input.completion) {
    if (structural && input.hasStackTrace) push('stackTrace', SIGNAL_RAISE.stackTrace);
    const prose = input.ask ?? f.prose;
    if (prose.length > 0) {
      if (CONCURRENCY_RE.test(prose)) push('concurrency', SIGNAL_RAISE.concurrency);
      if (SECURITY_RE.test(prose)) push('security', SIGNAL_RAISE.security);
      if (PERFORMANCE_RE.test(prose)) push('performance', SIGNAL_RAISE.performance);
      if (DISTRIBUTED_RE.test(prose)) push('distributed', SIGNAL_RAISE.distributed);
      if (DEPTH_RE.test(prose)) push('depth', SIGNAL_RAISE.depth);
    }
    const files = Math.max(f.files, input.multiFilePhrase ? THRESHOLDS.manyFilesSome : 0);
    if (structural && files >= THRESHOLDS.manyFilesMany) push(`manyFiles:${files}`, SIGNAL_RAISE.manyFilesMany);
    else if (structural && files >= THRESHOLDS.manyFilesSome) push(`manyFiles:${files}`, SIGNAL_RAISE.manyFilesSome);
    if (structural && f.codeBlocks >= THRESHOLDS.manyCodeBlocks) push(`codeBlocks:${f.codeBlocks}`, SIGNAL_RAISE.manyCodeBlocks);
    if (f.messages >= THRESHOLDS.veryLongHistoryMessages) push(`longHistory:${f.messages}`, SIGNAL_RAISE.veryLongHistory);
    else if (f.messages >= THRESHOLDS.longHistoryMessages) push(`longHistory:${f.messages}`, SIGNAL_RAISE.longHistory);
  }
  if (input.agentic || input.calibrated) return { raise, signals };
  const context = contextTokens(input.inputTokens, f.envelope.conversationChars);
  if (context >= THRESHOLDS.veryLargeContextTokens) push(`largeContext:${context}`, SIGNAL_RAISE.veryLargeContext);
  else if (context >= THRESHOLDS.largeContextTokens) push(`largeContext:${context}`, SIGNAL_RAISE.largeContext);
  return { raise, signals };
}
