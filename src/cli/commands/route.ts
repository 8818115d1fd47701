// rightsize route [--models FILE]: JSON Lines requests on stdin -> one decision per line on stdout.
import * as fs from 'fs';
import { BudgetGate } from '../../core/budget/budgetGate';
import { Catalog } from '../../core/catalog/catalog';
import { DEFAULT_CONFIG } from '../../core/config';
import { EstimateSettings } from '../../core/estimate';
import { Pipeline } from '../../core/pipeline';
import { sharedTokenCounter } from '../../core/tokens';
import { ChatMessage, ChatRequest, Estimate, ModelSpec, Objective, Surface, ToolDefinition } from '../../core/types';
import { helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { CliIo, inputLines, isObject, parseJsonLine, tooLongMessage } from '../io';
import { estimateSettingsFromArgs, SETTINGS_OPTIONS } from '../settingsOptions';
import { errorText } from '../../core/errorText';

const SPEC: Record<string, OptionSpec> = {
  models: { value: true, placeholder: 'FILE', description: 'Candidates: {"local":[ids],"cloud":[ids],"objective":"energy|money|balanced","localOnly":false,"localPreference":3} (default: every catalog model, balanced)' },
  ...SETTINGS_OPTIONS,
  json: { description: 'JSON Lines output (the default; accepted for symmetry)' },
  help: { description: 'Show this help' },
};

export const routeHelp = helpText('rightsize route [--models FILE] < requests.jsonl',
  'Reads requests as JSON Lines on stdin — {"id","messages":[{"role","content"}],"tools"?,"surface"?,"contextTokens"?} —\n' +
  'and writes one decision per line: {"id","model","location","task","reason","runnerUp","estimate"}.\n' +
  'Bad lines are reported on stderr (exit status 1) and the good ones are still routed.', SPEC);

const SURFACES: readonly Surface[] = ['chat', 'gateway', 'inline', 'import', 'cli'];
const ROLES = ['system', 'user', 'assistant', 'tool'] as const;
const OBJECTIVES: readonly Objective[] = ['energy', 'money', 'balanced'];

interface ModelsFile { candidates: ModelSpec[]; objective: Objective; localOnly: boolean; localPreference: number }

export function readModelsFile(path: string | undefined, catalog: Catalog): ModelsFile {
  if (!path) return { candidates: catalog.all(), objective: DEFAULT_CONFIG.objective, localOnly: DEFAULT_CONFIG.localOnly, localPreference: DEFAULT_CONFIG.localPreference };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read --models ${path}: ${errorText(e)}`);
  }
  if (!isObject(raw)) throw new UsageError(`--models ${path}: expected a JSON object`);
  const ids: string[] = [];
  for (const key of ['local', 'cloud'] as const) {
    const list = raw[key] ?? [];
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new UsageError(`--models ${path}: "${key}" must be a list of model ids`);
    ids.push(...(list as string[]));
  }
  const unknown = ids.filter((id) => !catalog.get(id));
  if (unknown.length) throw new UsageError(`--models ${path}: unknown model(s) ${unknown.join(', ')}`);
  if (ids.length === 0) throw new UsageError(`--models ${path}: no models listed`);
  const objective = raw.objective ?? DEFAULT_CONFIG.objective;
  if (typeof objective !== 'string' || !(OBJECTIVES as readonly string[]).includes(objective)) throw new UsageError(`--models ${path}: "objective" must be energy, money or balanced`);
  if (raw.localOnly !== undefined && typeof raw.localOnly !== 'boolean') throw new UsageError(`--models ${path}: "localOnly" must be true or false`);
  const pref = raw.localPreference ?? DEFAULT_CONFIG.localPreference;
  if (typeof pref !== 'number' || !Number.isFinite(pref) || pref < 1) throw new UsageError(`--models ${path}: "localPreference" must be a number ≥ 1`);
  return { candidates: ids.map((id) => catalog.get(id)!), objective: objective as Objective, localOnly: raw.localOnly === true, localPreference: pref };
}

/** Validates one request line; returns a message naming the problem, or the request. */
export function parseRouteRequest(v: unknown, lineNo: number): ChatRequest | string {
  if (!isObject(v)) return 'expected a JSON object';
  const id = v.id === undefined ? `line-${lineNo}` : v.id;
  if (typeof id !== 'string' && typeof id !== 'number') return '"id" must be a string or number';
  if (!Array.isArray(v.messages) || v.messages.length === 0) return '"messages" must be a non-empty list';
  const messages: ChatMessage[] = [];
  for (const [i, m] of v.messages.entries()) {
    if (!isObject(m)) return `messages[${i}] must be an object`;
    if (typeof m.role !== 'string' || !(ROLES as readonly string[]).includes(m.role)) return `messages[${i}].role must be one of ${ROLES.join(', ')}`;
    if (typeof m.content !== 'string') return `messages[${i}].content must be a string`;
    messages.push({ role: m.role as ChatMessage['role'], content: m.content });
  }
  let tools: ToolDefinition[] | undefined;
  if (v.tools !== undefined) {
    if (!Array.isArray(v.tools)) return '"tools" must be a list';
    tools = [];
    for (const [i, t] of v.tools.entries()) {
      // Accept our shape and OpenAI's {type:"function", function:{name, description, parameters}}.
      const f = isObject(t) && isObject(t.function) ? t.function : t;
      if (!isObject(f) || typeof f.name !== 'string') return `tools[${i}] needs a "name"`;
      tools.push({ name: f.name, description: typeof f.description === 'string' ? f.description : '', inputSchema: isObject(f.parameters) ? f.parameters : isObject(f.inputSchema) ? f.inputSchema : undefined });
    }
  }
  const surface = v.surface ?? 'cli';
  if (typeof surface !== 'string' || !(SURFACES as readonly string[]).includes(surface)) return `"surface" must be one of ${SURFACES.join(', ')}`;
  if (v.contextTokens !== undefined && (typeof v.contextTokens !== 'number' || !Number.isInteger(v.contextTokens) || v.contextTokens < 0)) return '"contextTokens" must be a non-negative whole number';
  const request: ChatRequest = {
    id: String(id), messages, surface: surface as Surface, workspace: { id: 'cli', name: 'CLI' }, session: 'cli',
  };
  if (tools && tools.length) request.tools = tools;
  if (typeof v.contextTokens === 'number') request.contextTokens = v.contextTokens;
  if (typeof v.suffix === 'string') request.suffix = v.suffix;
  return request;
}

export function estimateJson(e: Estimate): Record<string, unknown> {
  return {
    model: e.model,
    tokens: { input: e.tokens.input, output: e.tokens.output },
    wh: e.energy.wh, whLow: e.energy.low, whHigh: e.energy.high,
    usd: e.cost.usd, gco2e: e.carbon.g,
  };
}

export async function routeCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(routeHelp); return 0; }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const catalog = Catalog.builtIn();
  const models = readModelsFile(stringOption(args, 'models'), catalog);
  const pipeline = routingPipeline(models, estimateSettingsFromArgs(args));
  let bad = 0;
  for await (const { line, no, tooLong } of inputLines(io.stdin)) {
    if (line === undefined) { bad++; io.stderr.write(`rightsize route: line ${no}: ${tooLongMessage(tooLong)}; skipped\n`); continue; }
    const parsed = parseJsonLine(line);
    const request = parsed.ok ? parseRouteRequest(parsed.value, no) : parsed.error;
    if (typeof request === 'string') {
      bad++;
      io.stderr.write(`rightsize route: line ${no}: ${request}; skipped\n`);
      continue;
    }
    try {
      const d = await pipeline.decide(request);
      io.stdout.write(JSON.stringify({
        id: request.id, model: d.model, location: d.location, task: d.task, reason: d.reason,
        runnerUp: d.runnerUp ?? null, estimate: estimateJson(d.estimate),
        reference: d.reference ? estimateJson(d.reference) : null,
      }) + '\n');
    } catch (e) {
      bad++;
      io.stderr.write(`rightsize route: line ${no} (id ${request.id}): ${errorText(e)}\n`);
    }
  }
  return bad > 0 ? 1 : 0;
}

/** The chat door's pipeline, routing only: `rightsize route` decides exactly as Rightsize Auto does (the
 * envelope reader, the router, the defaults), without a budget and without sending anything. */
function routingPipeline(models: ModelsFile, estimate: EstimateSettings): Pipeline {
  return new Pipeline({
    candidates: async () => models.candidates,
    backendFor: () => { throw new Error('rightsize route only decides; it sends nothing'); },
    countInputTokens: (r) => sharedTokenCounter().countMessages(r.messages, r.tools),
    gate: new BudgetGate({ limits: {}, warnAt: DEFAULT_CONFIG.budget.warnAt, action: 'warn' }),
    append: () => undefined,
    settings: () => ({ mode: 'auto', objective: models.objective, localOnly: models.localOnly, localPreference: models.localPreference, estimate, referenceModel: '' }),
  });
}
