// Local realities: which Ollama models are in memory now (/api/ps), what loading one costs, and whether it
// fits next to what is loaded.
//
//   Load cost of a model that is not loaded: time = weights (GB) / load rate (LOAD_GB_PER_S), energy = the
//   machine's power (the device profile's inference range, or the measured draw) × that time, money = that
//   energy at the electricity price. The router adds it to the model's estimate, so a loaded model wins a
//   comparison it would otherwise lose by less than the load, and a cold one must be cheaper by more.
//   Models Ollama runs remotely (`-cloud`, remote_host) have no local load cost.
//   Memory (rightsize.ollama.memoryGiB, else the device profile's memoryGB, else this machine's RAM when
//   Ollama runs here; unknown for a remote Ollama without the setting): a model whose weights do not fit in the
//   usable memory (USABLE_MEMORY_SHARE) next to what is loaded makes Ollama unload models first; one that
//   does not fit even alone runs partly from host memory (slower; localEnergy.ts counts that time). Neither
//   is chosen silently: the decision names the models it unloads, or says it is offloaded.
// Weights from localEnergy.bytesPerParam (catalog download sizes or quantisation) × total parameters; a
// loaded model's footprint is what /api/ps reports (`size`, weights plus its KV cache).
import type { Estimate, ModelSpec } from '../types';
import { bytesPerParam, localPower, USABLE_MEMORY_SHARE } from '../energy/localEnergy';
import { localEnergyWh } from '../energy/localEnergy';
import type { DeviceProfile } from '../energy/devices';
import { localCostUsd } from '../cost/money';
import { range, Range } from '../energy/range';
import { fmtNumber } from './format';
import { runsLocally } from '../modelLocation';

/**
 * Rate at which Ollama loads GGUF weights into memory, GB/s: low end a SATA SSD or a cold NVMe read with
 * GPU upload, high end the OS page cache (a model loaded recently). Assumption, stated as a range: Ollama
 * reports the load as `load_duration`, and the record of the request that loaded it counts the real time.
 */
export const LOAD_GB_PER_S = { min: 0.5, max: 3 } as const;

/** A model in memory, as /api/ps reports it. */
export interface LoadedModel { id: string; sizeBytes: number; sizeVramBytes: number }

/** What Ollama has loaded now, read just before routing, and the memory it has for models. */
export interface OllamaSnapshot {
  loaded: readonly LoadedModel[];
  /** The user's `rightsize.ollama.memoryGiB`, in GB, when set: wins over the device profile's memory. */
  memoryGB?: number;
  /** The machine's RAM (GB) when Ollama runs here: used when neither the setting nor the device profile says. */
  hostMemoryGB?: number;
}

/** What loading a model means for this request (undefined from `load()`: nothing to load, or not local). */
export interface LoadCost {
  /** Seconds to load, low..high. */
  seconds: Range;
  /** Energy of the load (Wh) and its electricity cost. */
  energy: Range;
  usd: number;
  /** Loaded models Ollama must unload to make room (memory known and too small for both). */
  unloads: string[];
  /** The weights do not fit in memory even alone: part runs from host memory. */
  offloaded: boolean;
  weightsGB: number;
  /** Usable memory (GB), when the device profile knows it. */
  usableGB?: number;
}

/** The router's view (RouteOptions.residency). */
export interface Residency {
  /** Whether Ollama has the model in memory now. */
  isLoaded(model: ModelSpec): boolean;
  /** The cost of loading it first; undefined when it is loaded, remote or not an Ollama model. */
  load(model: ModelSpec): LoadCost | undefined;
}

export interface ResidencySettings {
  device: DeviceProfile;
  electricityUsdPerKwh: number;
  measuredPowerW?: number;
}

/** Normalised tag: `qwen2.5-coder` and `qwen2.5-coder:latest` are the same model. */
function tagKey(id: string): string {
  return id.includes(':') ? id : `${id}:latest`;
}

function isOllamaLocal(m: ModelSpec): boolean {
  return m.provider === 'ollama' && runsLocally(m);
}

export function weightsGB(m: ModelSpec): number {
  return ((m.params.totalB.min + m.params.totalB.max) / 2) * bytesPerParam(m);
}

export function residency(snapshot: OllamaSnapshot, settings: ResidencySettings): Residency {
  const loaded = new Map(snapshot.loaded.map((l) => [tagKey(l.id), l]));
  const memoryGB = snapshot.memoryGB ?? settings.device.memoryGB ?? snapshot.hostMemoryGB;
  const usableGB = memoryGB && memoryGB > 0 ? memoryGB * USABLE_MEMORY_SHARE : undefined;
  const power = localPower(settings.device, settings.measuredPowerW);
  const cache = new Map<ModelSpec, LoadCost | undefined>();
  const load = (m: ModelSpec): LoadCost | undefined => {
    if (!isOllamaLocal(m) || loaded.has(tagKey(m.id))) return undefined;
    const gb = weightsGB(m);
    const seconds = range(gb / LOAD_GB_PER_S.max, gb / Math.sqrt(LOAD_GB_PER_S.min * LOAD_GB_PER_S.max), gb / LOAD_GB_PER_S.min);
    const energy = localEnergyWh(power, seconds);
    let unloads: string[] = [];
    let offloaded = false;
    if (usableGB !== undefined) {
      const inUse = [...loaded.values()].reduce((s, l) => s + l.sizeBytes / 1e9, 0);
      if (gb > usableGB) offloaded = true;
      if (gb + inUse > usableGB) unloads = evictions([...loaded.values()], Math.min(gb, usableGB), usableGB);
    }
    return {
      seconds, energy, usd: localCostUsd(energy.mid, seconds.mid / 3600, settings.electricityUsdPerKwh),
      unloads, offloaded, weightsGB: gb, ...(usableGB !== undefined ? { usableGB } : {}),
    };
  };
  return {
    isLoaded: (m) => isOllamaLocal(m) && loaded.has(tagKey(m.id)),
    load: (m) => {
      if (!cache.has(m)) cache.set(m, load(m));
      return cache.get(m);
    },
  };
}

/** The loaded models to unload, largest first, until `need` GB fit in `usable` GB. */
function evictions(loaded: LoadedModel[], need: number, usable: number): string[] {
  const sorted = [...loaded].sort((a, b) => b.sizeBytes - a.sizeBytes || (a.id < b.id ? -1 : 1));
  let inUse = sorted.reduce((s, l) => s + l.sizeBytes / 1e9, 0);
  const out: string[] = [];
  for (const l of sorted) {
    if (need + inUse <= usable) break;
    out.push(l.id);
    inUse -= l.sizeBytes / 1e9;
  }
  return out;
}

/** The estimate with the load added (energy, money). */
export function withLoad(e: Estimate, load: LoadCost | undefined): Estimate {
  if (!load) return e;
  return {
    ...e,
    energy: { ...e.energy, wh: e.energy.wh + load.energy.mid, low: e.energy.low + load.energy.low, high: e.energy.high + load.energy.high },
    cost: { ...e.cost, usd: e.cost.usd + load.usd },
  };
}

/** "not loaded: ~3 s to load 4.7 GB (counted: 0.05 Wh)" and the memory clause, for the decision's reason. */
export function loadPhrase(model: ModelSpec, load: LoadCost): string {
  let s = `not loaded in Ollama: about ${fmtNumber(load.seconds.mid)} s to load ${fmtNumber(load.weightsGB)} GB first (counted: ${fmtNumber(load.energy.mid)} Wh)`;
  if (load.offloaded) s += `; ${fmtNumber(load.weightsGB)} GB does not fit in the ${fmtNumber(load.usableGB ?? 0)} GB usable, so part of ${model.id} runs from host memory (slower)`;
  else if (load.unloads.length > 0) s += `; no room next to ${load.unloads.join(', ')} in ${fmtNumber(load.usableGB ?? 0)} GB usable: Ollama unloads ${load.unloads.length === 1 ? 'it' : 'them'} first`;
  return s;
}

/** What the user is told in the answer when the chosen model does not fit next to what is loaded. */
export function memoryNote(model: ModelSpec, load: LoadCost | undefined): string | undefined {
  if (!load) return undefined;
  if (load.offloaded) return `Rightsize: ${model.id} (${fmtNumber(load.weightsGB)} GB) does not fit in this machine's ${fmtNumber(load.usableGB ?? 0)} GB usable memory; part of it runs from host memory, which is slower.`;
  if (load.unloads.length > 0) return `Rightsize: loading ${model.id} (${fmtNumber(load.weightsGB)} GB) makes Ollama unload ${load.unloads.join(', ')} — not enough memory for both.`;
  return undefined;
}
