// What every import source produces before metering: one model call's usage, as the source logged it.
import type { ImportSource, Provider, TokenCounts } from '../types';

export type { ImportSource } from '../types';

export const IMPORT_SOURCES: readonly ImportSource[] = ['claude-code', 'codex', 'copilot-otel'];

/** One model call found in another assistant's logs or telemetry. */
export interface ImportedUsage {
  /** Unique per call within the source (Claude Code: message id + request id, like ccusage). */
  key: string;
  /** The source gave no call id (`key` is the line's place): counted wherever it appears, like ccusage. */
  noDedup?: true;
  source: ImportSource;
  /** When the call finished (ms since the epoch). */
  endMs: number;
  /** The model as the source spelled it. */
  model: string;
  /** The provider that served it, when the source says (else the source's usual one). */
  provider?: Provider;
  /** Rightsize's convention: `input` includes cached input and cache writes; `output` includes reasoning. */
  tokens: TokenCounts;
  durationMs?: number;
  ttftMs?: number;
  /** The project folder the assistant ran in (becomes the record's workspace). */
  folder?: string;
  /** The assistant's session / conversation id. */
  session?: string;
}
