// The local-energy part of docs/energy-model.md: formulas, device profiles, the published measurements they
// are checked against, and example predictions.
import { Catalog } from '../../catalog/catalog';
import { ModelSpec, TokenCounts } from '../../types';
import data from '../devices.json';
import { DeviceProfile, listDeviceProfiles } from '../devices';
import { localEnergyWh, localPower, predictLocalTime } from '../localEnergy';
import { num, range3, table } from './markdown';

interface DeviceMeasurement {
  device: string; hardware: string; model: string; paramsB: number; weightsGB: number; bandwidthGBs: number;
  decodeTokensPerS: number; prefillTokensPerS?: number; watts?: number; wattsScope?: string; source: string;
}

const MEASUREMENTS = (data as unknown as { measurements: DeviceMeasurement[] }).measurements;

const span = (r: { min: number; max: number } | undefined): string => (r ? `${num(r.min)}–${num(r.max)}` : '–');

function profileRows(): Array<Array<string | number>> {
  return listDeviceProfiles().map((d) => [d.id, d.name, span(d.powerW), span(d.hostPowerW), d.memoryBandwidthGBs,
    d.memoryGB ?? '–', span(d.decodeEfficiency), span(d.prefillTflops)]);
}

function measurementRows(): Array<Array<string | number>> {
  return MEASUREMENTS.map((m) => {
    const efficiency = (m.decodeTokensPerS * m.weightsGB) / m.bandwidthGBs;
    const tflops = m.prefillTokensPerS ? (m.prefillTokensPerS * 2 * m.paramsB * 1e9) / 1e12 : undefined;
    const jPerToken = m.watts ? m.watts / m.decodeTokensPerS : undefined;
    return [m.hardware, m.model, m.device, num(m.decodeTokensPerS), num(efficiency), tflops === undefined ? '–' : num(tflops),
      m.watts ? `${m.watts} (${m.wattsScope})` : '–', jPerToken === undefined ? '–' : num(jPerToken), m.source];
  });
}

/** Predicted J per output token on a profile for a measured model (weights as measured), for the watt rows. */
function predictedRows(): Array<Array<string | number>> {
  return MEASUREMENTS.filter((m) => m.watts).map((m) => {
    const device = listDeviceProfiles().find((d) => d.id === m.device) as DeviceProfile;
    const model = { id: m.model, provider: 'ollama', location: 'local', params: { totalB: { min: m.paramsB, max: m.paramsB }, activeB: { min: m.paramsB, max: m.paramsB } },
      local: { weightsGB: m.weightsGB } } as unknown as ModelSpec;
    const out: TokenCounts = { input: 0, cachedInput: 0, output: 1000, reasoning: 0 };
    const wh = localEnergyWh(localPower({ ...device, hostPowerW: undefined }, undefined), predictLocalTime(model, out, device));
    const measured = m.watts! / m.decodeTokensPerS;
    const j = { low: (wh.low * 3600) / 1000, mid: (wh.mid * 3600) / 1000, high: (wh.high * 3600) / 1000 };
    return [m.hardware, m.model, device.id, num(measured), range3(j), j.low <= measured && measured <= j.high ? 'yes' : '**no**'];
  });
}

function exampleRows(catalog: Catalog): Array<Array<string | number>> {
  const ids = ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b', 'qwen3-coder:30b', 'qwen2.5-coder:32b'];
  const models = ids.map((id) => catalog.get(id, 'ollama')).filter((m): m is ModelSpec => !!m);
  const t: TokenCounts = { input: 2000, cachedInput: 0, output: 300, reasoning: 0 };
  return listDeviceProfiles().map((d) => [d.id, ...models.map((m) => {
    const wh = localEnergyWh(localPower(d, undefined), predictLocalTime(m, t, d));
    return `${num(wh.mid)} (${num(wh.low)}–${num(wh.high)})`;
  })]);
}

export function localDeviceSection(catalog: Catalog): string {
  const ids = ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b', 'qwen3-coder:30b', 'qwen2.5-coder:32b'];
  return `## Local energy (methods \`local-profile\`, \`local-measured\`)

Code: \`src/core/energy/localEnergy.ts\`, \`devices.json\`, \`powerSampler.ts\`, \`sysfsPower.ts\`, \`gpuPower.ts\`.

\`\`\`
energy [Wh]     = power [W] · time [s] / 3600                       at each end (low power × low time, …)
time after      = Ollama prompt_eval_duration + eval_duration + load_duration
time before     = out · s_dec + fresh_in · s_pre                    cached input (Ollama's prompt cache) is free
  s_dec [s/token] = P·bpp·(1 − o) / (BW · eff) + P·bpp·o / (BW_host · eff)
                    o = share of the weights beyond USABLE_MEMORY_SHARE · memoryGB (CPU offload)
  s_pre [s/token] = 2 · P·1e9 / (prefillTflops · 1e12)
power           = accelerator (profile range, or measured ± MEASURED_POWER_SPREAD) + hostPowerW
bpp             = catalog weight size / parameters, else by quantisation, else DEFAULT_BYTES_PER_PARAM
\`\`\`

**Measured power, without privileges** (method \`local-measured\`): NVIDIA boards through
\`nvidia-smi --query-gpu=power.draw\`; AMD GPUs through \`/sys/class/drm/card*/device/hwmon/hwmon*/power1_average\`
(or \`power1_input\`, µW); both summed when present. Without a GPU reading, Linux RAPL package energy
(\`/sys/class/powercap/intel-rapl:*/energy_uj\`, two reads 200 ms apart, counter wrap handled) when the file is
readable (many distributions restrict it to root; then nothing is measured). Apple silicon has no
unprivileged power reading (powermetrics needs root): the profile is used.

### Device profiles

` + table(['Profile', 'Name', 'Accelerator W', 'Host W', 'Bandwidth GB/s', 'Memory GB', 'Decode efficiency', 'Prefill TFLOPS'], profileRows()) + `

### Published measurements the profiles are checked against

Decode efficiency = tokens/s × weight GB / bandwidth; prefill TFLOPS = prompt tokens/s × 2 × parameters. The
tests (\`test/unit/energy/devices.test.ts\`) require each implied efficiency and TFLOPS inside its profile's
range, and each measured wattage inside the profile's accelerator power range.

` + table(['Hardware', 'Model', 'Profile', 'Decode tokens/s', 'Implied efficiency', 'Implied prefill TFLOPS', 'Watts', 'J/output token', 'Source'], measurementRows()) + `

Predicted vs measured accelerator energy per output token (the profile's accelerator power and throughput
ranges, the measured model's weight size; host power excluded, as in the measurements):

` + table(['Hardware', 'Model', 'Profile', 'Measured J/token', 'Predicted J/token (low – central – high)', 'Inside'], predictedRows()) + `

### Local examples

2,000 fresh input tokens and 300 output tokens, predicted before the request, Wh central (low–high):

` + table(['Device', ...ids], exampleRows(catalog)) + `

A single-user local GPU is not automatically greener per token than a batched data centre, and the \`generic\`
profile is wide on purpose: choosing the real device narrows the range by an order of magnitude. A 32B model
on a 12 GB card spills into host memory.`;
}
