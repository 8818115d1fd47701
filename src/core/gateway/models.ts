// A model the catalog does not know, named by a client or configured by the user: conservative guesses,
// said so in its sources (priced and sized as a mid-size cloud model; the record shows the assumption).
import type { ModelSpec, Provider } from '../types';

export function derivedCloudSpec(id: string, provider: Provider): ModelSpec {
  const assumption = 'assumption: unknown to the catalog; conservative defaults';
  return {
    id, displayName: id, provider, location: 'cloud', derived: true,
    params: { totalB: { min: 7, max: 400 }, activeB: { min: 7, max: 200 } },
    contextTokens: 128_000, maxOutputTokens: 16_384, tools: true,
    capability: { score: 50, benchmark: 'none', source: assumption },
    tokenizer: 'o200k_base', pue: 1.2,
    sources: { params: assumption, contextTokens: assumption, capability: assumption, pue: assumption },
  };
}
