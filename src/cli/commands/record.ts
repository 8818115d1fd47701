// rightsize record: appends usage records read as JSON on stdin (one object per line). Only
// {"model": ID, "tokens": {"input": N, "output": N}} is required; every other field of the record is
// optional and computed when absent.
import { randomUUID } from 'crypto';
import { Catalog } from '../../core/catalog/catalog';
import { estimate, EstimateSettings } from '../../core/estimate';
import { formatUsd, formatWh } from '../../core/format';
import { parseIsoDate } from '../../core/isoDate';
import { Ledger, UnwritableRecordError } from '../../core/ledger';
import {
  DecisionMode, Location, ModelSpec, Outcome, Provider, Surface, TaskClass, TokenSource, UsageRecord,
} from '../../core/types';
import { helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { CliIo, inputLines, isObject, parseJsonLine, tooLongMessage } from '../io';
import { ledgerFromArgs, LEDGER_OPTION } from '../ledgerOption';
import { estimateSettingsFromArgs, SETTINGS_OPTIONS } from '../settingsOptions';
import { errorText } from '../../core/errorText';

const SPEC: Record<string, OptionSpec> = {
  ...LEDGER_OPTION,
  reference: { value: true, placeholder: 'ID', description: 'Reference model for the savings counterfactual (default: none)' },
  ...SETTINGS_OPTIONS,
  json: { description: 'Print each stored record as JSON' },
  help: { description: 'Show this help' },
};

export const recordHelp = helpText('rightsize record [--ledger DIR] < record.json',
  'Appends usage records read as JSON on stdin (one object per line). {"model": ID, "tokens": {"input": N, "output": N}}\n' +
  'suffices; energy, cost, carbon, ids and timestamps are computed when absent. Bad lines are reported on stderr\n' +
  '(exit status 1) and the good ones are still recorded.', SPEC);

const TASKS: readonly TaskClass[] = ['completion', 'explain', 'document', 'test', 'fix', 'refactor', 'multiFile', 'design', 'agentic'];
const SURFACES: readonly Surface[] = ['chat', 'gateway', 'inline', 'import', 'cli'];
const OUTCOMES: readonly Outcome[] = ['ok', 'error', 'cancelled', 'blocked'];
const MODES: readonly DecisionMode[] = ['auto', 'suggest', 'manual'];
const SOURCES: readonly TokenSource[] = ['reported', 'counted', 'estimated'];
const PROVIDERS: readonly Provider[] = ['ollama', 'openai', 'anthropic', 'google', 'copilot', 'openai-compatible'];

function count(v: unknown, field: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`${field} must be a non-negative whole number`);
  return v;
}

function pick<T extends string>(v: unknown, allowed: readonly T[], field: string, fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new Error(`${field} must be one of ${allowed.join(', ')}`);
  return v as T;
}

function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${field} must be a non-negative number`);
  return v;
}

/** Completes a partial record. Throws an Error whose message names the bad field. */
export function completeRecord(v: unknown, catalog: Catalog, settings: EstimateSettings, reference: ModelSpec | undefined, now: Date): UsageRecord {
  if (!isObject(v)) throw new Error('expected a JSON object');
  const spec = recordModel(v, catalog);
  const tokens = recordTokens(v);
  // A model described by the caller has no parameters to estimate from: its energy and cost are given, and
  // its carbon follows from the energy (before: "Cannot read properties of undefined (reading 'activeB')").
  const described = !catalog.get(spec.id);
  const computed = !described && (v.energy === undefined || v.cost === undefined || v.carbon === undefined) ? estimate(spec, tokens, settings) : undefined;
  const ts = recordTs(v, now);
  const workspace = v.workspace === undefined ? { id: 'cli', name: 'CLI' } : v.workspace;
  if (!isObject(workspace) || typeof workspace.id !== 'string' || !workspace.id) throw new Error('"workspace" must be {"id": string, "name": string}');
  const energy = v.energy === undefined ? computed!.energy : givenEnergy(v.energy);
  const cost = v.cost === undefined ? computed!.cost : givenCost(v.cost);
  const gPerKwh = settings.gridGPerKwh;
  const carbon = v.carbon === undefined ? (computed ? computed.carbon : { g: (energy.wh / 1000) * gPerKwh, gPerKwh }) : givenCarbon(v.carbon, gPerKwh);
  const record: UsageRecord = {
    v: 1,
    id: typeof v.id === 'string' && v.id ? v.id : randomUUID(),
    ts,
    session: typeof v.session === 'string' && v.session ? v.session : 'cli',
    workspace: { id: workspace.id as string, name: typeof workspace.name === 'string' ? workspace.name : (workspace.id as string) },
    surface: pick(v.surface, SURFACES, 'surface', 'cli'),
    task: pick(v.task, TASKS, 'task', 'explain'),
    decision: recordDecision(isObject(v.decision) ? v.decision : {}, spec),
    model: { id: spec.id, provider: spec.provider, location: spec.location },
    tokens: { ...tokens, source: pick((v.tokens as Record<string, unknown>).source, SOURCES, 'tokens.source', 'reported') },
    durationMs: v.durationMs === undefined ? 0 : count(v.durationMs, 'durationMs'),
    energy, cost, carbon,
    outcome: pick(v.outcome, OUTCOMES, 'outcome', 'ok'),
  };
  if (v.ttftMs !== undefined) record.ttftMs = count(v.ttftMs, 'ttftMs');
  if (typeof v.error === 'string') record.error = v.error.slice(0, 500);
  if (reference) {
    const cf = estimate(reference, tokens, settings);
    record.counterfactual = { model: reference.id, wh: cf.energy.wh, usd: cf.cost.usd, gco2e: cf.carbon.g };
  }
  return record;
}

/** The record's model: a catalog model by id, or an unknown one the caller describes (with energy and cost). */
function recordModel(v: Record<string, unknown>, catalog: Catalog): ModelSpec {
  const modelField = v.model;
  const modelId = typeof modelField === 'string' ? modelField : isObject(modelField) && typeof modelField.id === 'string' ? modelField.id : undefined;
  if (!modelId) throw new Error('"model" (a model id) is required');
  let spec = catalog.get(modelId);
  if (isObject(modelField) && !spec) {
    // An unknown model described by the caller: provider and location required to meter it.
    const provider = pick(modelField.provider, PROVIDERS, 'model.provider', 'openai-compatible');
    const location = pick<Location>(modelField.location, ['local', 'cloud'], 'model.location', 'cloud');
    if (v.energy === undefined || v.cost === undefined) throw new Error(`unknown model "${modelId}": give "energy" and "cost", or use a catalog model`);
    spec = { id: modelId, displayName: modelId, provider, location } as ModelSpec;
  }
  if (!spec) throw new Error(`unknown model "${modelId}" (see \`rightsize estimate --help\`; or give model {id, provider, location} with energy and cost)`);
  return spec;
}

function recordTokens(v: Record<string, unknown>): { input: number; cachedInput: number; output: number; reasoning: number } {
  if (!isObject(v.tokens)) throw new Error('"tokens" {"input": N, "output": N} is required');
  const input = count(v.tokens.input, 'tokens.input');
  const output = count(v.tokens.output, 'tokens.output');
  const cachedInput = count(v.tokens.cachedInput, 'tokens.cachedInput', 0);
  const reasoning = count(v.tokens.reasoning, 'tokens.reasoning', 0);
  if (cachedInput > input) throw new Error('tokens.cachedInput cannot exceed tokens.input');
  if (reasoning > output) throw new Error('tokens.reasoning cannot exceed tokens.output');
  return { input, cachedInput, output, reasoning };
}

/** The record's time: `ts` when given (strict ISO 8601), else now. */
function recordTs(v: Record<string, unknown>, now: Date): string {
  if (v.ts === undefined) return now.toISOString();
  if (typeof v.ts !== 'string') throw new Error('"ts" must be an ISO 8601 date-time (2026-11-01T09:30:00Z)');
  const when = parseIsoDate(v.ts);
  if (!when.ok) throw new Error(`"ts" ${JSON.stringify(v.ts.slice(0, 40))} is ${when.reason}`);
  return new Date(when.ms).toISOString();
}

function givenEnergy(e: unknown): UsageRecord['energy'] {
  if (!isObject(e)) throw new Error('"energy" must be {"wh", "low", "high"}');
  const wh = finite(e.wh, 'energy.wh');
  const low = e.low === undefined ? wh : finite(e.low, 'energy.low');
  const high = e.high === undefined ? wh : finite(e.high, 'energy.high');
  if (low > wh || wh > high) throw new Error(`energy must satisfy low <= wh <= high (got ${low}, ${wh}, ${high})`);
  return { wh, low, high, method: typeof e.method === 'string' ? e.method : 'given' };
}

function givenCost(c: unknown): UsageRecord['cost'] {
  if (!isObject(c)) throw new Error('"cost" must be {"usd"}');
  return { usd: finite(c.usd, 'cost.usd'), method: typeof c.method === 'string' ? c.method : 'given' };
}

function givenCarbon(c: unknown, gPerKwh: number): UsageRecord['carbon'] {
  if (!isObject(c)) throw new Error('"carbon" must be {"g", "gPerKwh"}');
  return { g: finite(c.g, 'carbon.g'), gPerKwh: c.gPerKwh === undefined ? gPerKwh : finite(c.gPerKwh, 'carbon.gPerKwh') };
}

function recordDecision(d: Record<string, unknown>, spec: ModelSpec): UsageRecord['decision'] {
  return {
    suggested: typeof d.suggested === 'string' ? d.suggested : spec.id,
    chosen: spec.id,
    mode: pick(d.mode, MODES, 'decision.mode', 'manual'),
    followed: typeof d.followed === 'boolean' ? d.followed : (typeof d.suggested === 'string' ? d.suggested === spec.id : true),
    reason: typeof d.reason === 'string' ? d.reason : 'recorded with rightsize record',
  };
}

export async function recordCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(recordHelp); return 0; }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const catalog = Catalog.builtIn();
  const refId = stringOption(args, 'reference');
  const reference = refId ? catalog.get(refId) : undefined;
  if (refId && !reference) throw new UsageError(`unknown --reference model "${refId}"`);
  const settings = estimateSettingsFromArgs(args);
  const ledger: Ledger = ledgerFromArgs(args, io);
  let bad = 0;
  let good = 0;
  for await (const { line, no, tooLong } of inputLines(io.stdin)) {
    if (line === undefined) { bad++; io.stderr.write(`rightsize record: line ${no}: ${tooLongMessage(tooLong)}; skipped\n`); continue; }
    const parsed = parseJsonLine(line);
    if (!parsed.ok) { bad++; io.stderr.write(`rightsize record: line ${no}: ${parsed.error}; skipped\n`); continue; }
    let record: UsageRecord;
    try {
      record = completeRecord(parsed.value, catalog, settings, reference, new Date());
    } catch (e) {
      bad++;
      io.stderr.write(`rightsize record: line ${no}: ${errorText(e)}; skipped\n`);
      continue;
    }
    try {
      ledger.append(record);
    } catch (e) {
      if (!(e instanceof UnwritableRecordError)) throw e;
      bad++;
      io.stderr.write(`rightsize record: line ${no}: ${e.reason}; not recorded\n`);
      continue;
    }
    good++;
    if (args.options.has('json')) io.stdout.write(JSON.stringify(record) + '\n');
    else io.stdout.write(`recorded ${record.id}: ${record.model.id}, ${record.tokens.input + record.tokens.output} tokens, ${formatWh(record.energy.wh)}, ${formatUsd(record.cost.usd)}\n`);
  }
  if (good === 0 && bad === 0) { io.stderr.write('rightsize record: no record on stdin\n'); return 1; }
  return bad > 0 ? 1 : 0;
}
