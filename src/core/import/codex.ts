// Codex CLI's session rollouts (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-*.jsonl`, default
// `~/.codex/sessions`): one JSON object a line. `session_meta` names the session, folder and provider,
// `turn_context` the model; each model response is a `token_usage_record` (Codex 0.17x: one per
// response id). Older rollouts have only `event_msg` / `token_count` events, whose `last_token_usage` is
// the last response's usage; they repeat when nothing new was used, so a repeat of the running total is
// skipped (as ccusage's Codex report does). OpenAI's convention — input includes cached input, output
// includes reasoning — is Rightsize's too.
import * as os from 'os';
import * as path from 'path';
import type { Provider, TokenCounts } from '../types';
import type { ImportedUsage } from './types';

export function codexSessionsDir(env: NodeJS.ProcessEnv, home = os.homedir()): string {
  return path.join(env.CODEX_HOME?.trim() || path.join(home, '.codex'), 'sessions');
}

export const CODEX_MARKERS = ['"type":"session_meta"', '"type":"turn_context"', '"type":"token_usage_record"', '"type":"token_count"'];

/** What a rollout said so far (kept with the file's offset, so incremental reads continue it). */
export interface CodexFileState {
  session?: string;
  folder?: string;
  provider?: string;
  model?: string;
  /** The file has per-response records: token_count events are then summaries only. */
  records?: boolean;
  /** The running total of the last token_count event used. */
  lastTotal?: number;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const count = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? Math.floor(x) : 0);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x.length > 0 ? x : undefined);

/** Codex's providers that run models locally. */
const LOCAL_PROVIDERS = new Set(['ollama', 'oss', 'lmstudio']);

function tokensOf(u: Obj): TokenCounts {
  const input = count(u.input_tokens);
  const output = count(u.output_tokens);
  return {
    input,
    cachedInput: Math.min(count(u.cached_input_tokens), input),
    cacheWrite: Math.min(count(u.cache_write_input_tokens), input),
    output,
    reasoning: Math.min(count(u.reasoning_output_tokens), output),
  };
}

function usage(state: CodexFileState, key: string, ts: unknown, tokens: TokenCounts): ImportedUsage | undefined {
  const endMs = typeof ts === 'string' ? Date.parse(ts) : NaN;
  if (!Number.isFinite(endMs) || tokens.input + tokens.output === 0) return undefined;
  const provider: Provider | undefined = state.provider && LOCAL_PROVIDERS.has(state.provider) ? 'ollama' : undefined;
  return { key, source: 'codex', endMs, model: state.model ?? 'unknown', provider, tokens, folder: state.folder, session: state.session };
}

/** The call a rollout line records (updating `state` from context lines), or undefined. */
export function codexUsageOfLine(text: string, state: CodexFileState, fileKey: string): ImportedUsage | undefined {
  let o: unknown;
  try { o = JSON.parse(text); } catch { return undefined; }
  if (!isObj(o) || !isObj(o.payload)) return undefined;
  const p = o.payload;
  switch (o.type) {
    case 'session_meta':
      state.session = str(p.session_id) ?? str(p.id) ?? state.session;
      state.folder = str(p.cwd) ?? state.folder;
      state.provider = str(p.model_provider) ?? state.provider;
      state.model = str(p.model) ?? state.model;
      return undefined;
    case 'turn_context':
      state.model = str(p.model) ?? state.model;
      state.folder = str(p.cwd) ?? state.folder;
      return undefined;
    case 'token_usage_record': {
      state.records = true;
      if (!isObj(p.usage)) return undefined;
      const session = str(p.session_id) ?? state.session ?? fileKey;
      const id = str(p.response_id) ?? `${str(p.turn_id) ?? ''}:${String(o.timestamp)}`;
      return usage(state, `${session}:${id}`, o.timestamp, tokensOf(p.usage));
    }
    case 'event_msg': {
      if (state.records || p.type !== 'token_count' || !isObj(p.info)) return undefined;
      const total = isObj(p.info.total_token_usage) ? count(p.info.total_token_usage.total_tokens) : 0;
      if (!isObj(p.info.last_token_usage) || total === 0 || total === state.lastTotal) return undefined;
      state.lastTotal = total;
      return usage(state, `${state.session ?? fileKey}:total:${total}`, o.timestamp, tokensOf(p.info.last_token_usage));
    }
    default:
      return undefined;
  }
}
