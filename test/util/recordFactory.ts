// Realistic, deterministic UsageRecords for tests and benchmarks.
//  - makeRecord(overrides): one valid v1 record (unique id per call unless overridden).
//  - generateHistory(opts): `count` records spread evenly (with jitter) over the `days` before `end`,
//    in timestamp order, deterministic for a given seed. generateHistoryChunks does the same lazily.
// Numbers follow the shapes of DESIGN.md's model: local energy = power × time, cloud energy per token
// with prefill, prices per million tokens, carbon = kWh × grid intensity, a counterfactual on the
// workspace's reference model, and suggest-mode records with and without `suggestedEstimate`.
import type { DecisionMode, Location, Outcome, Provider, Surface, TaskClass, UsageRecord } from '../../src/core/types';

export interface FactoryModel { id: string; provider: Provider; location: Location }

export const DEFAULT_MODELS: FactoryModel[] = [
  { id: 'qwen2.5-coder:7b', provider: 'ollama', location: 'local' },
  { id: 'llama3.1:8b', provider: 'ollama', location: 'local' },
  { id: 'gpt-4o-mini', provider: 'openai', location: 'cloud' },
  { id: 'gpt-4o', provider: 'openai', location: 'cloud' },
  { id: 'claude-sonnet-4', provider: 'anthropic', location: 'cloud' },
];
export const DEFAULT_WORKSPACES = ['ws-alpha', 'ws-beta', 'ws-gamma'];

/** Per-model rates used to make consistent numbers (not a catalog: test data only). */
interface Rates { inUsdPerM: number; outUsdPerM: number; whPerKIn: number; whPerKOut: number }
function ratesFor(m: FactoryModel): Rates {
  if (m.location === 'local') {
    // ~40 W while prefilling ~600 tok/s and generating ~35 tok/s; electricity 0.30 $/kWh
    const whPerKIn = (40 * (1000 / 600)) / 3600;
    const whPerKOut = (40 * (1000 / 35)) / 3600;
    return { inUsdPerM: whPerKIn * 1000 * 0.0003, outUsdPerM: whPerKOut * 1000 * 0.0003, whPerKIn, whPerKOut };
  }
  const table: Record<string, Rates> = {
    'gpt-4o-mini': { inUsdPerM: 0.15, outUsdPerM: 0.6, whPerKIn: 0.002, whPerKOut: 0.12 },
    'gpt-4o': { inUsdPerM: 2.5, outUsdPerM: 10, whPerKIn: 0.01, whPerKOut: 0.6 },
    'claude-sonnet-4': { inUsdPerM: 3, outUsdPerM: 15, whPerKIn: 0.012, whPerKOut: 0.7 },
  };
  return table[m.id] ?? { inUsdPerM: 1, outUsdPerM: 4, whPerKIn: 0.006, whPerKOut: 0.3 };
}

/** Deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const TASKS: TaskClass[] = ['completion', 'explain', 'document', 'test', 'fix', 'refactor', 'multiFile', 'design', 'agentic'];
const GRID_G_PER_KWH = 473;

function costOn(m: FactoryModel, input: number, cached: number, output: number): { wh: number; usd: number } {
  const r = ratesFor(m);
  const fresh = input - cached;
  const usd = (fresh * r.inUsdPerM + cached * r.inUsdPerM * 0.1 + output * r.outUsdPerM) / 1e6;
  const wh = ((fresh + cached * 0.2) * r.whPerKIn + output * r.whPerKOut) / 1000;
  return { wh: round(wh, 6), usd: round(usd, 8) };
}

let makeCounter = 0;

/** One valid record; `overrides` replace top-level fields. */
export function makeRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  makeCounter++;
  const model = DEFAULT_MODELS[3];
  const c = costOn(model, 12000, 4000, 600);
  const cf = costOn(DEFAULT_MODELS[4], 12000, 4000, 600);
  const base: UsageRecord = {
    v: 1,
    id: `rec-${process.pid}-${makeCounter}`,
    ts: '2025-06-11T10:15:00.000Z',
    session: 'session-1',
    workspace: { id: 'ws-alpha', name: 'alpha' },
    surface: 'chat',
    task: 'fix',
    decision: { suggested: model.id, chosen: model.id, mode: 'auto', followed: true, reason: 'fix with a stack trace: needs capability 70' },
    model: { ...model },
    tokens: { input: 12000, cachedInput: 4000, output: 600, reasoning: 0, source: 'reported' },
    durationMs: 8200,
    ttftMs: 640,
    energy: { wh: c.wh, low: round(c.wh * 0.5, 6), high: round(c.wh * 2, 6), method: 'cloud-params' },
    cost: { usd: c.usd, method: 'price-table' },
    carbon: { g: round((c.wh / 1000) * GRID_G_PER_KWH, 5), gPerKwh: GRID_G_PER_KWH },
    counterfactual: { model: DEFAULT_MODELS[4].id, wh: cf.wh, usd: cf.usd, gco2e: round((cf.wh / 1000) * GRID_G_PER_KWH, 5) },
    outcome: 'ok',
  };
  return { ...base, ...overrides };
}

export interface HistoryOptions {
  count: number;
  days: number;
  end: Date;
  workspaces?: string[];
  models?: FactoryModel[];
  seed?: number;
}

/** `count` records over the `days` before `end`, oldest first; same options, same records. */
export function generateHistory(opts: HistoryOptions): UsageRecord[] {
  const out: UsageRecord[] = [];
  for (const chunk of generateHistoryChunks(opts)) for (const r of chunk) out.push(r);
  return out;
}

/** generateHistory, lazily, in chunks of `chunkSize` records (for millions of records). */
export function* generateHistoryChunks(opts: HistoryOptions, chunkSize = 10_000): Generator<UsageRecord[]> {
  const seed = opts.seed ?? 1;
  const rnd = mulberry32(seed);
  const models = opts.models ?? DEFAULT_MODELS;
  const workspaces = opts.workspaces ?? DEFAULT_WORKSPACES;
  const spanMs = opts.days * 86_400_000;
  const startMs = opts.end.getTime() - spanMs;
  const step = spanMs / Math.max(1, opts.count);
  const reference = models.reduce((a, b) => (ratesFor(b).outUsdPerM > ratesFor(a).outUsdPerM ? b : a), models[0]);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const logUniform = (lo: number, hi: number): number => Math.round(Math.exp(Math.log(lo) + rnd() * (Math.log(hi) - Math.log(lo))));
  let chunk: UsageRecord[] = [];
  for (let i = 0; i < opts.count; i++) {
    const ms = Math.min(opts.end.getTime() - 1, Math.floor(startMs + (i + rnd()) * step));
    const ws = pick(workspaces);
    const model = pick(models);
    // the router suggests the chosen model or a cheaper one; in suggest mode users often keep theirs
    const cheaper = models.filter((m) => ratesFor(m).outUsdPerM < ratesFor(model).outUsdPerM);
    const suggestedModel = cheaper.length > 0 && rnd() < 0.5 ? pick(cheaper) : model;
    const modeRoll = rnd();
    const mode: DecisionMode = modeRoll < 0.5 ? 'auto' : modeRoll < 0.85 ? 'suggest' : 'manual';
    const followed = mode === 'auto' ? true : suggestedModel.id === model.id || rnd() < 0.3;
    const suggested = mode === 'auto' || followed ? model : suggestedModel;
    const outcomeRoll = rnd();
    const outcome: Outcome = outcomeRoll < 0.94 ? 'ok' : outcomeRoll < 0.97 ? 'error' : outcomeRoll < 0.99 ? 'cancelled' : 'blocked';
    const blocked = outcome === 'blocked';
    const input = blocked ? 0 : logUniform(300, 90_000);
    const cached = blocked || model.location === 'local' ? 0 : Math.floor(input * rnd() * 0.6);
    const output = blocked ? 0 : outcome === 'cancelled' ? logUniform(1, 200) : logUniform(20, 3000);
    const reasoning = !blocked && model.id.startsWith('gpt-4o') && rnd() < 0.2 ? Math.floor(output * rnd()) : 0;
    const c = costOn(model, input, cached, output + reasoning);
    const g = round((c.wh / 1000) * GRID_G_PER_KWH, 5);
    const surface: Surface = pick(['chat', 'chat', 'chat', 'chat', 'inline', 'gateway', 'cli']);
    const rec: UsageRecord = {
      v: 1,
      id: `r${seed.toString(36)}-${i.toString(36)}`,
      ts: new Date(ms).toISOString(),
      session: `s-${ws}-${Math.floor(ms / 86_400_000)}`,
      workspace: { id: ws, name: ws.replace(/^ws-/, '') },
      surface,
      task: pick(TASKS),
      decision: { suggested: suggested.id, chosen: model.id, mode, followed, reason: `${mode}: capability fits` },
      model: { id: model.id, provider: model.provider, location: model.location },
      tokens: { input, cachedInput: cached, output, reasoning, source: model.location === 'local' ? 'reported' : rnd() < 0.9 ? 'reported' : 'counted' },
      durationMs: blocked ? 0 : Math.round(200 + output * (model.location === 'local' ? 28 : 12) + rnd() * 500),
      energy: { wh: c.wh, low: round(c.wh * (model.location === 'local' ? 0.7 : 0.4), 6), high: round(c.wh * (model.location === 'local' ? 1.4 : 2.5), 6), method: model.location === 'local' ? 'local-profile' : 'cloud-params' },
      cost: { usd: c.usd, method: model.location === 'local' ? 'electricity' : 'price-table' },
      carbon: { g, gPerKwh: GRID_G_PER_KWH },
      outcome,
    };
    if (!blocked) rec.ttftMs = Math.round(80 + rnd() * 900);
    if (outcome === 'error') rec.error = 'Backend error: the server answered 503';
    if (model.id !== reference.id && rnd() < 0.8) {
      const cf = costOn(reference, input, cached, output + reasoning);
      rec.counterfactual = { model: reference.id, wh: cf.wh, usd: cf.usd, gco2e: round((cf.wh / 1000) * GRID_G_PER_KWH, 5) };
    }
    if (mode === 'suggest' && !followed && rnd() < 0.8) {
      const s = costOn(suggestedModel, input, cached, output + reasoning);
      Object.assign(rec, { suggestedEstimate: { model: suggestedModel.id, wh: s.wh, usd: s.usd } });
    }
    chunk.push(rec);
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
