// TEMPORARY — stands in for test/util/recordFactory.ts (generateHistory) and src/core/report
// (aggregate) until the helpers writing those land them. The acceptance test must switch to the real
// ones (see panelRender.test.ts, `loadHistoryTools`). Minimal, deterministic, not the product's logic.
import type { DayRow, Location, ModelRow, Provider, TaskClass, Totals, UsageRecord, UsageReport } from '../../src/core/types';

interface ModelDef { id: string; provider: Provider; location: Location; whPerKTok: number; usdPerMTokIn: number; usdPerMTokOut: number }
const MODELS: ModelDef[] = [
  { id: 'qwen2.5-coder:7b', provider: 'ollama', location: 'local', whPerKTok: 0.004, usdPerMTokIn: 0, usdPerMTokOut: 0 },
  { id: 'llama3.1:8b', provider: 'ollama', location: 'local', whPerKTok: 0.005, usdPerMTokIn: 0, usdPerMTokOut: 0 },
  { id: 'gpt-4.1-mini', provider: 'openai', location: 'cloud', whPerKTok: 0.02, usdPerMTokIn: 0.4, usdPerMTokOut: 1.6 },
  { id: 'gemini-2.5-flash', provider: 'google', location: 'cloud', whPerKTok: 0.025, usdPerMTokIn: 0.3, usdPerMTokOut: 2.5 },
  { id: 'gpt-4.1', provider: 'openai', location: 'cloud', whPerKTok: 0.08, usdPerMTokIn: 2, usdPerMTokOut: 8 },
  { id: 'claude-sonnet-4', provider: 'anthropic', location: 'cloud', whPerKTok: 0.1, usdPerMTokIn: 3, usdPerMTokOut: 15 },
  { id: 'gpt-5', provider: 'openai', location: 'cloud', whPerKTok: 0.15, usdPerMTokIn: 1.25, usdPerMTokOut: 10 },
  { id: 'claude-opus-4-1', provider: 'anthropic', location: 'cloud', whPerKTok: 0.3, usdPerMTokIn: 15, usdPerMTokOut: 75 },
];
const WEIGHTS = [30, 10, 20, 8, 10, 12, 6, 4];
const TASKS: TaskClass[] = ['completion', 'explain', 'document', 'test', 'fix', 'refactor', 'multiFile', 'design', 'agentic'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateHistory(opts: { count: number; days: number; end: Date; seed?: number; workspaces?: Array<{ id: string; name: string }> }): UsageRecord[] {
  const rnd = mulberry32(opts.seed ?? 1);
  const workspaces = opts.workspaces ?? [{ id: 'ws-app', name: 'webapp' }, { id: 'ws-lib', name: 'parser-lib' }, { id: 'ws-ops', name: 'infra' }];
  const endMs = opts.end.getTime();
  const spanMs = opts.days * 86_400_000;
  const totalW = WEIGHTS.reduce((a, b) => a + b, 0);
  const out: UsageRecord[] = [];
  for (let i = 0; i < opts.count; i++) {
    let pick = rnd() * totalW;
    let mi = 0;
    while (pick >= WEIGHTS[mi]) { pick -= WEIGHTS[mi]; mi++; }
    const m = MODELS[mi];
    const ts = new Date(endMs - rnd() * spanMs);
    const input = Math.round(200 + rnd() * rnd() * 60_000);
    const output = Math.round(20 + rnd() * 1500);
    const wh = ((input * 0.2 + output) / 1000) * m.whPerKTok * (0.7 + rnd() * 0.6);
    const usd = (input * m.usdPerMTokIn + output * m.usdPerMTokOut) / 1e6;
    const ref = MODELS[MODELS.length - 1];
    const refWh = ((input * 0.2 + output) / 1000) * ref.whPerKTok;
    const refUsd = (input * ref.usdPerMTokIn + output * ref.usdPerMTokOut) / 1e6;
    const followed = rnd() > 0.15;
    const suggested = followed ? m.id : MODELS[Math.max(0, mi - 2)].id;
    const ws = workspaces[Math.floor(rnd() * workspaces.length)];
    out.push({
      v: 1, id: `r${i}`, ts: ts.toISOString(), session: `s${Math.floor(i / 200)}`, workspace: ws, surface: 'chat',
      task: TASKS[Math.floor(rnd() * TASKS.length)],
      decision: { suggested, chosen: m.id, mode: followed ? 'auto' : 'suggest', followed, reason: 'temp' },
      model: { id: m.id, provider: m.provider, location: m.location },
      tokens: { input, cachedInput: Math.round(input * 0.3 * rnd()), output, reasoning: 0, source: 'reported' },
      durationMs: 500 + Math.round(rnd() * 9000),
      energy: { wh, low: wh * 0.6, high: wh * 1.8, method: 'temp' },
      cost: { usd, method: 'temp' },
      carbon: { g: (wh / 1000) * 473, gPerKwh: 473 },
      counterfactual: { model: ref.id, wh: refWh, usd: refUsd, gco2e: (refWh / 1000) * 473 },
      outcome: 'ok',
    });
  }
  return out.sort((a, b) => (a.ts < b.ts ? -1 : 1));
}

function zero(): Totals {
  return { requests: 0, tokens: { input: 0, cachedInput: 0, output: 0, reasoning: 0 }, wh: 0, whLow: 0, whHigh: 0, usd: 0, gco2e: 0, localRequests: 0, localWh: 0, cloudWh: 0, savedWh: 0, savedUsd: 0 };
}

function add(t: Totals, r: UsageRecord): void {
  t.requests++;
  t.tokens.input += r.tokens.input; t.tokens.cachedInput += r.tokens.cachedInput; t.tokens.output += r.tokens.output; t.tokens.reasoning += r.tokens.reasoning;
  t.wh += r.energy.wh; t.whLow += r.energy.low; t.whHigh += r.energy.high; t.usd += r.cost.usd; t.gco2e += r.carbon.g;
  if (r.model.location === 'local') { t.localRequests++; t.localWh += r.energy.wh; } else t.cloudWh += r.energy.wh;
  if (r.counterfactual) { t.savedWh += r.counterfactual.wh - r.energy.wh; t.savedUsd += r.counterfactual.usd - r.cost.usd; }
}

function dayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export interface TempQuery { kind: 'week' | 'lastWeek' | 'last30Days' | 'custom'; now: Date; workspace?: string; start?: Date; end?: Date; topN?: number }

export function aggregate(records: UsageRecord[], q: TempQuery): UsageReport {
  const n = q.now;
  const today = new Date(n.getFullYear(), n.getMonth(), n.getDate());
  const monday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - ((today.getDay() + 6) % 7));
  let start: Date;
  let end: Date;
  if (q.kind === 'week') { start = monday; end = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7); }
  else if (q.kind === 'lastWeek') { start = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() - 7); end = monday; }
  else if (q.kind === 'last30Days') { start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29); end = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1); }
  else { start = q.start!; end = q.end!; }
  const totals = zero();
  const days = new Map<string, DayRow>();
  const models = new Map<string, ModelRow>();
  const missed = { requests: 0, wh: 0, usd: 0 };
  const inPeriod: UsageRecord[] = [];
  for (const r of records) {
    const t = new Date(r.ts);
    if (t < start || t >= end) continue;
    if (q.workspace && r.workspace.id !== q.workspace) continue;
    inPeriod.push(r);
    add(totals, r);
    const k = dayKey(t);
    let d = days.get(k);
    if (!d) { d = { ...zero(), day: k, byModel: {} }; days.set(k, d); }
    add(d, r);
    const bm = (d.byModel[r.model.id] ??= { wh: 0, usd: 0, requests: 0 });
    bm.wh += r.energy.wh; bm.usd += r.cost.usd; bm.requests++;
    let m = models.get(r.model.id);
    if (!m) { m = { ...zero(), model: r.model.id, provider: r.model.provider, location: r.model.location }; models.set(r.model.id, m); }
    add(m, r);
    if (!r.decision.followed) { missed.requests++; missed.wh += r.energy.wh * 0.5; missed.usd += r.cost.usd * 0.5; }
  }
  const top = [...inPeriod].sort((a, b) => b.cost.usd - a.cost.usd).slice(0, q.topN ?? 10).map((r) => ({
    id: r.id, ts: r.ts, task: r.task, model: r.model.id, tokens: { input: r.tokens.input, output: r.tokens.output }, wh: r.energy.wh, usd: r.cost.usd,
  }));
  return {
    period: { kind: q.kind, start: start.toISOString(), end: end.toISOString() },
    workspace: q.workspace,
    totals,
    days: [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1)),
    models: [...models.values()].sort((a, b) => b.wh - a.wh),
    missedSavings: missed,
    top,
    corruptLines: 0,
  };
}
