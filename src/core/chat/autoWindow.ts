// What "Rightsize Auto" advertises as its window (maxInputTokens, maxOutputTokens). VS Code's chat (Copilot
// Chat) builds the prompt to fit the selected model's maxInputTokens: it drops or trims attachments, tool
// results and history beyond it, and summarises long agent conversations against it. So the number decides
// how large a prompt Auto is sent, and hence which models can take it:
//   - `largest`: the largest window of any candidate. Copilot keeps everything (a whole large file); a
//     prompt larger than every local window then goes to a cloud model.
//   - `local`: the largest window of the local models that can serve the chat (tool-capable when any is),
//     when there are local models; else as `largest`. Copilot trims the prompt to what a local model can
//     take, so local models can answer requests that would otherwise have to go to the cloud, and cloud
//     requests carry fewer tokens, at the price of less context for the hardest requests.
// README ("Auto's window") has the measurement behind the default.
import type { ModelSpec } from '../types';

export type AutoWindowChoice = 'local' | 'largest';

/** Floor of what Auto advertises (a chat prompt needs room even before any model is known). */
export const AUTO_MIN_INPUT_TOKENS = 8192;
export const AUTO_MIN_OUTPUT_TOKENS = 4096;

/** Input a model can take: its window less the output it keeps room for (at most a quarter of the window). */
export function inputTokensOf(m: ModelSpec): number {
  return Math.max(1, m.contextTokens - Math.min(m.maxOutputTokens, Math.floor(m.contextTokens / 4)));
}

/** The models whose windows Auto advertises under `choice`. */
export function advertisedModels(models: readonly ModelSpec[], choice: AutoWindowChoice): readonly ModelSpec[] {
  if (choice === 'largest') return models;
  const local = models.filter((m) => m.location === 'local');
  if (local.length === 0) return models;
  const withTools = local.filter((m) => m.tools);
  return withTools.length > 0 ? withTools : local;
}

export function autoWindow(models: readonly ModelSpec[], choice: AutoWindowChoice): { maxInputTokens: number; maxOutputTokens: number } {
  const set = advertisedModels(models, choice);
  return {
    maxInputTokens: Math.max(AUTO_MIN_INPUT_TOKENS, ...set.map(inputTokensOf)),
    maxOutputTokens: Math.max(AUTO_MIN_OUTPUT_TOKENS, ...set.map((m) => m.maxOutputTokens)),
  };
}
