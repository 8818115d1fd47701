// Claude Code's session logs (`~/.claude/projects/<project>/<session>.jsonl`, also under
// `$CLAUDE_CONFIG_DIR` and `~/.config/claude`): one JSON object a line. An API response is written as one
// `assistant` line per content block, each repeating the message id, the request id and the usage, so
// calls are deduplicated by message id + request id — exactly as ccusage does (first seen wins; lines
// without both ids are not deduplicated). Which lines count follows ccusage 18's `usageDataSchema`, so the
// totals agree with `ccusage daily`. `api-request` lines (Claude Code 2.1+) give the request's start.
import * as os from 'os';
import * as path from 'path';
import type { ImportedUsage } from './types';

/** The `projects` folders Claude Code writes to, in ccusage's order: `$CLAUDE_CONFIG_DIR` (comma-separated)
 *  else `~/.config/claude` and `~/.claude`. */
export function claudeProjectDirs(env: NodeJS.ProcessEnv, home = os.homedir()): string[] {
  const configured = env.CLAUDE_CONFIG_DIR?.split(',').map((d) => d.trim()).filter(Boolean);
  const bases = configured?.length ? configured : [path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'claude'), path.join(home, '.claude')];
  return bases.map((b) => path.join(b, 'projects'));
}

/** The marker strings of the lines the parser needs (lineScan.ts). */
export const CLAUDE_MARKERS = ['"usage"', '"type":"api-request"'];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
const VERSION = /^\d+\.\d+\.\d+/;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && !Number.isNaN(x);
const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
/** valibot's `optional(...)`: absent passes, present must pass (null does not). */
const opt = (x: unknown, ok: (v: unknown) => boolean): boolean => x === undefined || ok(x);

/** The parts of a line ccusage's `usageDataSchema` accepts, or undefined when it would skip the line. */
function ccusageShape(o: Obj): { ts: string; msg: Obj; usage: Obj } | undefined {
  const msg = o.message;
  if (!ISO.test(String(o.timestamp)) || typeof o.timestamp !== 'string' || !isObj(msg) || !isObj(msg.usage)) return undefined;
  const u = msg.usage;
  if (!isNum(u.input_tokens) || !isNum(u.output_tokens)) return undefined;
  if (!opt(u.cache_creation_input_tokens, isNum) || !opt(u.cache_read_input_tokens, isNum)) return undefined;
  if (!opt(u.speed, (s) => s === 'standard' || s === 'fast')) return undefined;
  if (!opt(msg.model, nonEmpty) || !opt(msg.id, nonEmpty) || !opt(o.requestId, nonEmpty)) return undefined;
  if (!opt(msg.content, (c) => Array.isArray(c) && c.every((b) => isObj(b) && opt(b.text, (t) => typeof t === 'string')))) return undefined;
  if (!opt(o.cwd, (c) => typeof c === 'string') || !opt(o.sessionId, nonEmpty) || !opt(o.version, (v) => typeof v === 'string' && VERSION.test(v))) return undefined;
  if (!opt(o.costUSD, isNum) || !opt(o.isApiErrorMessage, (b) => typeof b === 'boolean')) return undefined;
  return { ts: o.timestamp, msg, usage: u };
}

/** Per-file memory while reading: when each `api-request` started (by its id), to time the answer. */
export interface ClaudeFileState { requestStarts: Map<string, number> }

export function newClaudeFileState(): ClaudeFileState {
  return { requestStarts: new Map() };
}

/** The call a Claude Code log line records, or undefined (not a usage line, `<synthetic>`, not ccusage-valid). */
export function claudeUsageOfLine(text: string, state: ClaudeFileState, fileKey: string, offset: number): ImportedUsage | undefined {
  let o: unknown;
  try { o = JSON.parse(text); } catch { return undefined; }
  if (!isObj(o)) return undefined;
  if (o.type === 'api-request' && nonEmpty(o.id) && typeof o.timestamp === 'string') {
    if (state.requestStarts.size > 10_000) state.requestStarts.clear();
    state.requestStarts.set(o.id, Date.parse(o.timestamp));
    return undefined;
  }
  const shape = ccusageShape(o);
  if (!shape) return undefined;
  const { msg, usage } = shape;
  const model = typeof msg.model === 'string' ? msg.model : 'unknown';
  if (model === '<synthetic>') return undefined; // Claude Code's own error notices: no model ran
  const cacheRead = (usage.cache_read_input_tokens as number | undefined) ?? 0;
  const cacheWrite = (usage.cache_creation_input_tokens as number | undefined) ?? 0;
  const output = usage.output_tokens as number;
  const details = usage.output_tokens_details;
  const thinking = isObj(details) && isNum(details.thinking_tokens) ? Math.min(details.thinking_tokens, output) : 0;
  const endMs = Date.parse(shape.ts);
  const startMs = nonEmpty(o.requestRef) ? state.requestStarts.get(o.requestRef) : undefined;
  const ids = nonEmpty(msg.id) && nonEmpty(o.requestId);
  return {
    key: ids ? `${msg.id}:${o.requestId}` : `${fileKey}@${offset}`,
    ...(ids ? {} : { noDedup: true as const }),
    source: 'claude-code',
    endMs,
    model,
    tokens: { input: (usage.input_tokens as number) + cacheRead + cacheWrite, cachedInput: cacheRead, cacheWrite, output, reasoning: thinking },
    durationMs: startMs !== undefined && endMs >= startMs ? endMs - startMs : undefined,
    folder: typeof o.cwd === 'string' && o.cwd ? o.cwd : undefined,
    session: nonEmpty(o.sessionId) ? o.sessionId : undefined,
  };
}
