// Describes a model Ollama reports (/api/tags + /api/show) as a ModelSpec. Known tags come from the
// catalog; unknown ones are derived from /api/show and never dropped. Never throws.
import { ModelSpec, Bounds } from '../types';
import { Catalog } from './catalog';
import { derivedCapability } from './capability';
import { CatalogModelSpec, LocalModelFacts } from './specExtensions';
import { errorText } from '../errorText';

export interface OllamaShowInfo {
  details?: { parameter_size?: string; family?: string; families?: string[]; quantization_level?: string; format?: string };
  model_info?: Record<string, unknown>;
  capabilities?: string[];
  remote_host?: string;
  remote_model?: string;
}

/** Ollama's default context window when a model reports none (num_ctx default). */
export const OLLAMA_DEFAULT_CONTEXT = 4096;
/** Data-centre PUE assumed for Ollama's cloud models (EcoLogits default). */
export const REMOTE_PUE = 1.2;

const LATEST = ':latest';

export function describeOllamaModel(tag: string, show: OllamaShowInfo | undefined, catalog: Catalog): ModelSpec {
  try {
    return describe(tag, show, catalog);
  } catch (e) {
    return fallback(tag, errorText(e));
  }
}

function describe(tag: string, show: OllamaShowInfo | undefined, catalog: Catalog): ModelSpec {
  const remote = isRemote(tag, show);
  const known = catalog.get(tag, 'ollama');
  if (known && (!remote || known.location === 'cloud')) return known;
  if (known) {
    // A catalog tag that this Ollama serves from a remote host: same model, metered as cloud inference.
    return {
      ...known, location: 'cloud', remote: true, pue: REMOTE_PUE, derived: true,
      sources: { ...known.sources, pue: 'assumption: Ollama remote host unknown; EcoLogits default PUE 1.2' },
    };
  }

  const name = tag.endsWith(LATEST) ? tag.slice(0, -LATEST.length) : tag;
  const info = show?.model_info ?? {};
  const arch = typeof info['general.architecture'] === 'string' ? (info['general.architecture'] as string) : undefined;
  const capabilities = Array.isArray(show?.capabilities) ? show!.capabilities.filter((c): c is string => typeof c === 'string') : undefined;
  const quantization = show?.details?.quantization_level;

  // A variant of a catalog model (`qwen2.5-coder:7b-instruct-q8_0` -> `qwen2.5-coder:7b`) keeps its capability.
  const base = baseCatalogModel(name, catalog);

  const sources: Record<string, string> = {};
  const totalB = parameterBillions(show, tag, base, sources);
  const activeB = activeParams(totalB, info, arch, base, sources);
  const contextTokens = contextLength(info, arch, base, sources);

  const tools = capabilities ? capabilities.includes('tools') : base?.tools ?? false;
  sources.tools = capabilities ? 'ollama /api/show capabilities' : base ? `derived: from catalog entry ${base.id}` : 'assumption: no capabilities reported, tools off';
  const vision = capabilities ? capabilities.includes('vision') : base?.vision;
  const embeddingOnly = !!capabilities && capabilities.includes('embedding') && !capabilities.includes('completion');

  let capability: ModelSpec['capability'];
  if (base && !embeddingOnly) {
    capability = { ...base.capability, source: `derived: variant of catalog model ${base.id} (${base.capability.source})` };
  } else {
    const family = show?.details?.family ?? arch;
    const score = derivedCapability({ totalB: totalB.min, activeB: activeB.min, name, family, embeddingOnly });
    capability = {
      score,
      benchmark: 'derived from parameter count and family (docs/energy-model.md#derived-capability)',
      source: 'derived: 3.6 + 2.54*log2(params), x0.6 for non-code families, capped at 35; uses the low end of the parameter range',
    };
  }
  sources.capability = capability.source;

  const local: LocalModelFacts = {};
  if (quantization) local.quantization = quantization;
  if (capabilities) local.capabilities = capabilities;

  const spec: CatalogModelSpec = {
    id: tag,
    displayName: remote ? `${name} (Ollama cloud)` : name,
    provider: 'ollama',
    location: remote ? 'cloud' : 'local',
    family: show?.details?.family ?? arch ?? base?.family,
    params: { totalB, activeB },
    contextTokens,
    maxOutputTokens: contextTokens,
    tools,
    capability,
    tokenizer: 'o200k_base',
    sources,
    derived: true,
    local,
  };
  if (vision !== undefined) spec.vision = vision;
  sources.maxOutputTokens = 'derived: Ollama can generate until the context is full';
  sources.tokenizer = 'tokenizer-approx: o200k_base as the nearest available tokenizer';
  if (remote) {
    spec.remote = true;
    spec.pue = REMOTE_PUE;
    sources.pue = 'assumption: Ollama cloud host unknown; EcoLogits default PUE 1.2';
  }
  return spec;
}

function isRemote(tag: string, show: OllamaShowInfo | undefined): boolean {
  if (show?.remote_host) return true;
  const t = tag.endsWith(LATEST) ? tag.slice(0, -LATEST.length) : tag;
  return /(^|[:\-])cloud$/.test(t);
}

function baseCatalogModel(name: string, catalog: Catalog): ModelSpec | undefined {
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const variant = name.slice(colon + 1);
  const size = /^(\d+(?:\.\d+)?[bm])(?:$|[-_])/i.exec(variant);
  if (!size) return undefined;
  const candidate = catalog.get(`${name.slice(0, colon)}:${size[1].toLowerCase()}`, 'ollama');
  return candidate && candidate.location === 'local' && !isRemote(name, undefined) ? candidate : undefined;
}

/** "6.7B" -> 6.7, "494.03M" -> 0.494, "1.2T" -> 1200, "22M" -> 0.022. */
export function parseParameterSize(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMBT])?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = parseFloat(m[1]);
  const unit = (m[2] ?? 'B').toUpperCase();
  const scale = unit === 'K' ? 1e-6 : unit === 'M' ? 1e-3 : unit === 'T' ? 1e3 : 1;
  const b = n * scale;
  return b > 0 && Number.isFinite(b) ? b : undefined;
}

function parameterBillions(show: OllamaShowInfo | undefined, tag: string, base: ModelSpec | undefined, sources: Record<string, string>): Bounds {
  const count = show?.model_info?.['general.parameter_count'];
  if (typeof count === 'number' && count > 0) {
    sources.params = 'ollama /api/show model_info general.parameter_count';
    const b = count / 1e9;
    return { min: b, max: b };
  }
  const fromDetails = parseParameterSize(show?.details?.parameter_size);
  if (fromDetails) {
    sources.params = `ollama /api/show details.parameter_size ${show!.details!.parameter_size}`;
    return { min: fromDetails, max: fromDetails };
  }
  if (base) {
    sources.params = `derived: from catalog entry ${base.id}`;
    return { ...base.params.totalB };
  }
  const sizeInTag = /:(?:.*?[-_])?(\d+(?:\.\d+)?)([mbt])(?:$|[-_])/i.exec(tag);
  if (sizeInTag) {
    const b = parseParameterSize(sizeInTag[1] + sizeInTag[2]);
    if (b) {
      sources.params = `derived: size in the tag (${sizeInTag[1]}${sizeInTag[2]})`;
      return { min: b, max: b };
    }
  }
  sources.params = 'assumption: size unknown (no /api/show, no size in the tag); 1-70B';
  return { min: 1, max: 70 };
}

function activeParams(total: Bounds, info: Record<string, unknown>, arch: string | undefined, base: ModelSpec | undefined, sources: Record<string, string>): Bounds {
  const experts = arch ? info[`${arch}.expert_count`] : undefined;
  const used = arch ? info[`${arch}.expert_used_count`] : undefined;
  if (typeof experts === 'number' && typeof used === 'number' && experts > 0 && used > 0 && used < experts) {
    // Routed experts are a share of the weights; attention and shared experts are always active.
    const share = used / experts;
    sources.activeParams = `derived: MoE ${used} of ${experts} experts; active between total*${share.toFixed(3)} and total*(0.15+0.85*share)`;
    return { min: total.min * share, max: total.max * Math.min(1, 0.15 + 0.85 * share) };
  }
  if (base) return { ...base.params.activeB };
  return { ...total };
}

function contextLength(info: Record<string, unknown>, arch: string | undefined, base: ModelSpec | undefined, sources: Record<string, string>): number {
  const direct = arch ? info[`${arch}.context_length`] : undefined;
  if (typeof direct === 'number' && direct > 0) {
    sources.contextTokens = `ollama /api/show model_info ${arch}.context_length`;
    return direct;
  }
  for (const [k, v] of Object.entries(info)) {
    if (k.endsWith('.context_length') && typeof v === 'number' && v > 0) {
      sources.contextTokens = `ollama /api/show model_info ${k}`;
      return v;
    }
  }
  if (base) {
    sources.contextTokens = `derived: from catalog entry ${base.id}`;
    return base.contextTokens;
  }
  sources.contextTokens = `assumption: Ollama default context ${OLLAMA_DEFAULT_CONTEXT}`;
  return OLLAMA_DEFAULT_CONTEXT;
}

function fallback(tag: string, why: string): ModelSpec {
  const note = `assumption: could not read Ollama's description (${why}); conservative defaults`;
  return {
    id: tag, displayName: tag, provider: 'ollama', location: 'local', derived: true,
    params: { totalB: { min: 1, max: 70 }, activeB: { min: 1, max: 70 } },
    contextTokens: OLLAMA_DEFAULT_CONTEXT, maxOutputTokens: OLLAMA_DEFAULT_CONTEXT, tools: false,
    capability: { score: 0.5, benchmark: 'none', source: note },
    tokenizer: 'o200k_base',
    sources: { params: note, contextTokens: note, maxOutputTokens: note, capability: note, tokenizer: note },
  };
}
