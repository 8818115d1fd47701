// Options shared by the commands that estimate: device profile, electricity price, grid intensity.
import { parseConfig } from '../core/config';
import { EstimateSettings } from '../core/estimate';
import { toEstimateSettings } from '../core/estimateConfig';
import { numberOption, OptionSpec, ParsedArgs, stringOption, UsageError } from './args';

export const SETTINGS_OPTIONS: Record<string, OptionSpec> = {
  device: { value: true, placeholder: 'ID', description: 'Local device power profile (default: auto)' },
  'electricity-usd-per-kwh': { value: true, placeholder: 'USD', description: 'Electricity price for local models (default 0.165)' },
  'grid-g-per-kwh': { value: true, placeholder: 'G', description: 'Your grid\'s carbon intensity, for local models (default 473, world average)' },
  'cloud-grid-g-per-kwh': { value: true, placeholder: 'G', description: 'Carbon intensity for cloud models (default: the provider\'s data-centre region)' },
  'include-embodied': { description: 'Add embodied (hardware manufacturing) emissions to the CO2e' },
};

export function estimateSettingsFromArgs(args: ParsedArgs): EstimateSettings {
  const raw: Record<string, unknown> = {};
  const device = stringOption(args, 'device');
  if (device) raw['energy.device'] = device;
  const price = numberOption(args, 'electricity-usd-per-kwh');
  if (price !== undefined) raw['money.electricityUsdPerKwh'] = price;
  const grid = numberOption(args, 'grid-g-per-kwh');
  if (grid !== undefined) raw['carbon.gridIntensityGPerKwh'] = grid;
  const cloudGrid = numberOption(args, 'cloud-grid-g-per-kwh');
  if (cloudGrid !== undefined) raw['carbon.cloudGridIntensityGPerKwh'] = cloudGrid;
  if (args.options.has('include-embodied')) raw['carbon.includeEmbodied'] = true;
  const { config, errors } = parseConfig(raw);
  if (errors.length) throw new UsageError(errors[0].replace(/^rightsize\./, '--'));
  return toEstimateSettings(config.energy, process.platform, process.arch);
}
