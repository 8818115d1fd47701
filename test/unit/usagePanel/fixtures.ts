// Hand-built reports for the usage panel's unit tests: awkward floats (0.1 + 0.2), a model id that
// needs CSV quoting and formula neutralising, and the three kinds of CSV rows.
import type { DayRow, ModelRow, Totals, UsageReport } from '../../../src/core/types';
import type { PanelState } from '../../../src/vscode/usagePanel/protocol';

export function totals(seed: number): Totals {
  return {
    requests: 3 * seed, tokens: { input: 1000 * seed + 7, cachedInput: 100 * seed, output: 333 * seed + 1, reasoning: 11 * seed },
    wh: 0.1 * seed + 0.2, whLow: 0.05 * seed, whHigh: 0.3 * seed + 0.7, usd: 0.0012345 * seed, gco2e: 0.473 * seed + 1e-9,
    localRequests: seed, localWh: 0.01 * seed, cloudWh: 0.09 * seed + 0.2, savedWh: 1 / 3 * seed, savedUsd: -0.000001 * seed,
  };
}

export function sampleReport(): UsageReport {
  const d1: DayRow = { ...totals(1), day: '2025-11-17', byModel: { 'qwen2.5-coder:7b': { wh: 0.01, usd: 0, requests: 1 }, '=evil,"model"': { wh: 0.29, usd: 0.0012345, requests: 2 } } };
  const d2: DayRow = { ...totals(2), day: '2025-11-18', byModel: { 'qwen2.5-coder:7b': { wh: 0.02, usd: 0, requests: 2 }, '=evil,"model"': { wh: 0.38, usd: 0.002469, requests: 4 } } };
  const m1: ModelRow = { ...totals(3), model: 'qwen2.5-coder:7b', provider: 'ollama', location: 'local' };
  const m2: ModelRow = { ...totals(4), model: '=evil,"model"', provider: 'openai', location: 'cloud' };
  return {
    period: { kind: 'week', start: '2025-11-17T00:00:00.000+01:00', end: '2025-11-24T00:00:00.000+01:00' },
    workspace: 'ws-1',
    totals: totals(7),
    days: [d1, d2],
    models: [m1, m2],
    missedSavings: { requests: 5, wh: 0.1 + 0.2, usd: 0.07 },
    top: [{ id: 'r1', ts: '2025-11-18T10:00:00.000Z', task: 'design', model: '=evil,"model"', tokens: { input: 90000, output: 2000 }, wh: 2.5, usd: 0.31 }],
    corruptLines: 0,
  };
}

export function sampleState(report = sampleReport()): PanelState {
  return {
    session: totals(1), report, budgets: [],
    filter: { range: 'week', workspace: 'this' }, updatedAt: '2025-11-18T12:00:00.000Z', workspaceName: 'demo',
  };
}

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    field += c; i++;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/** CSV rows as objects keyed by the header. */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => {
    if (r.length !== header.length) throw new Error(`row has ${r.length} fields, header ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]]));
  });
}

/** The Totals a CSV row carries (numbers parsed back). */
export function totalsFromCsv(r: Record<string, string>): Totals {
  const n = (k: string) => { if (r[k] === '') throw new Error(`empty ${k}`); return Number(r[k]); };
  return {
    requests: n('requests'), tokens: { input: n('input_tokens'), cachedInput: n('cached_input_tokens'), output: n('output_tokens'), reasoning: n('reasoning_tokens') },
    wh: n('wh'), whLow: n('wh_low'), whHigh: n('wh_high'), usd: n('usd'), gco2e: n('gco2e'),
    localRequests: n('local_requests'), localWh: n('local_wh'), cloudWh: n('cloud_wh'), savedWh: n('saved_wh'), savedUsd: n('saved_usd'),
  };
}

export function pickTotals(t: Totals): Totals {
  return {
    requests: t.requests, tokens: { ...t.tokens }, wh: t.wh, whLow: t.whLow, whHigh: t.whHigh, usd: t.usd, gco2e: t.gco2e,
    localRequests: t.localRequests, localWh: t.localWh, cloudWh: t.cloudWh, savedWh: t.savedWh, savedUsd: t.savedUsd,
  };
}
