// rightsize estimate --model ID --input N --output N [--cached N]: Wh (low/mid/high), USD, gCO2e.
import { Catalog } from '../../core/catalog/catalog';
import { estimate } from '../../core/estimate';
import { Provider } from '../../core/types';
import { formatGrams, formatUsd, formatWh } from '../../core/format';
import { countOption, helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { CliIo } from '../io';
import { estimateSettingsFromArgs, SETTINGS_OPTIONS } from '../settingsOptions';

const SPEC: Record<string, OptionSpec> = {
  model: { value: true, placeholder: 'ID', description: 'Model id as the provider spells it (e.g. gpt-5-mini, qwen2.5-coder:7b)' },
  provider: { value: true, placeholder: 'NAME', description: 'Provider when an id exists at several (e.g. copilot for Copilot\'s gpt-4.1); default: the model\'s own provider' },
  input: { value: true, placeholder: 'N', description: 'Input (prompt) tokens, including cached ones' },
  output: { value: true, placeholder: 'N', description: 'Output tokens (including reasoning)' },
  cached: { value: true, placeholder: 'N', description: 'Of the input tokens, how many were served from the prompt cache (default 0)' },
  reasoning: { value: true, placeholder: 'N', description: 'Of the output tokens, how many were reasoning tokens (default 0)' },
  ...SETTINGS_OPTIONS,
  json: { description: 'Print JSON' },
  help: { description: 'Show this help' },
};

export const estimateHelp = helpText('rightsize estimate --model ID --input N --output N [--cached N] [--json]',
  'Estimates one request\'s energy (Wh, with a low–high range), money (USD) and carbon (gCO2e).', SPEC);

export async function estimateCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(estimateHelp); return 0; }
  const id = stringOption(args, 'model');
  if (!id) throw new UsageError('--model is required');
  const input = countOption(args, 'input');
  const output = countOption(args, 'output');
  if (input === undefined || output === undefined) throw new UsageError('--input and --output are required');
  const cached = countOption(args, 'cached') ?? 0;
  const reasoning = countOption(args, 'reasoning') ?? 0;
  if (cached > input) throw new UsageError(`--cached (${cached}) cannot exceed --input (${input})`);
  if (reasoning > output) throw new UsageError(`--reasoning (${reasoning}) cannot exceed --output (${output})`);
  const provider = stringOption(args, 'provider') as Provider | undefined;
  const model = Catalog.builtIn().get(id, provider);
  if (!model) throw new UsageError(`unknown model "${id}"${provider ? ` at ${provider}` : ''}. Known models: ${Catalog.builtIn().all().map((m) => `${m.provider}/${m.id}`).join(', ')}`);
  const settings = estimateSettingsFromArgs(args);
  const e = estimate(model, { input, cachedInput: cached, output, reasoning }, settings);
  if (args.options.has('json')) {
    io.stdout.write(JSON.stringify({
      model: model.id, provider: model.provider, location: model.location,
      tokens: e.tokens,
      wh: { low: e.energy.low, mid: e.energy.wh, high: e.energy.high, method: e.energy.method },
      usd: e.cost.usd, costMethod: e.cost.method,
      ...(e.cost.premiumRequests !== undefined ? { premiumRequests: e.cost.premiumRequests } : {}),
      gco2e: e.carbon.g, gPerKwh: e.carbon.gPerKwh,
      ...(e.carbon.region ? { region: e.carbon.region } : {}),
      ...(e.carbon.embodiedG !== undefined ? { embodiedG: e.carbon.embodiedG } : {}),
    }) + '\n');
  } else {
    io.stdout.write(`${model.id} (${model.location}, ${model.provider}) — ${input} input (${cached} cached), ${output} output tokens\n`);
    io.stdout.write(`  energy: ${formatWh(e.energy.wh)} (low ${formatWh(e.energy.low)}, high ${formatWh(e.energy.high)}; ${e.energy.method})\n`);
    const premium = e.cost.premiumRequests !== undefined ? `; ${e.cost.premiumRequests} premium request(s) on request-billed Copilot plans` : '';
    io.stdout.write(`  money:  ${formatUsd(e.cost.usd)} (${e.cost.method}${premium})\n`);
    const where = e.carbon.region ? `, ${e.carbon.region} grid` : '';
    io.stdout.write(`  carbon: ${formatGrams(e.carbon.g)} at ${e.carbon.gPerKwh} g/kWh${where}\n`);
    if (e.carbon.embodiedG !== undefined) io.stdout.write(`  embodied: ${formatGrams(e.carbon.embodiedG)} (hardware manufacture, EcoLogits; ${settings.includeEmbodied ? 'included above' : 'not included above'})\n`);
  }
  return 0;
}
