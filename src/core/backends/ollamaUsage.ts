// The usage of an Ollama answer, from its final chunk: prompt_eval_count, eval_count and nanosecond timings,
// checked (usageCheck.ts), with durations measured here.
import type { ChatResponse, GenerateResponse } from 'ollama';
import type { BackendUsage, ChatRequest } from '../types';
import type { StreamTally } from './common';
import { settleTokens, UsageCheck } from './usageCheck';

/** The final chunk's counts and timings, checked (usageCheck.ts): unusable timings are dropped (energy then
 * comes from the measured duration), unusable counts estimated. */
export function reportedUsage(final: ChatResponse | GenerateResponse, tally: StreamTally, reasoningChars: number, request: ChatRequest): BackendUsage {
  const raw = final as unknown as Record<string, unknown>;
  const check = new UsageCheck();
  const output = check.count('eval_count', raw.eval_count, true);
  const estimated = tally.estimatedUsage(request).tokens;
  const { tokens, source, warnings } = settleTokens('Ollama', {
    input: check.count('prompt_eval_count', raw.prompt_eval_count) ?? (raw.prompt_eval_count == null ? 0 : undefined),
    cachedInput: 0,
    output,
    reasoning: Math.min(output ?? estimated.output, Math.ceil(reasoningChars / 4)),
  }, check, estimated);
  const timingCheck = new UsageCheck();
  const ns = {
    promptEvalNs: timingCheck.nanoseconds('prompt_eval_duration', raw.prompt_eval_duration),
    evalNs: timingCheck.nanoseconds('eval_duration', raw.eval_duration),
    loadNs: timingCheck.nanoseconds('load_duration', raw.load_duration),
    totalNs: timingCheck.nanoseconds('total_duration', raw.total_duration),
  };
  const timingOk = timingCheck.problems.length === 0;
  const allWarnings = [
    ...(warnings ?? []),
    ...(timingOk ? [] : [`Ollama reported unusable timings (${timingCheck.problems.join('; ')}); Rightsize used the measured duration instead.`]),
  ];
  return {
    tokens,
    source,
    durationMs: tally.elapsedMs(),
    ...(tally.ttftMs !== undefined ? { ttftMs: tally.ttftMs } : {}),
    ...(timingOk ? { ollama: ns as { promptEvalNs: number; evalNs: number; loadNs: number; totalNs: number } } : {}),
    ...(final.done_reason ? { doneReason: final.done_reason } : {}),
    ...(allWarnings.length > 0 ? { warnings: allWarnings } : {}),
  };
}
