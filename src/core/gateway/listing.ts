// Model listings in each client's shape: OpenAI's `/v1/models`, Anthropic's `/v1/models`, Ollama's
// `/api/tags`. `rightsize-auto` comes first; then every model the pipeline can use now.
import type { ModelSpec } from '../types';

const EPOCH_S = 1_735_689_600; // 2025-01-01: listings need a date; Rightsize has none for its models

export function modelsListing(shape: 'openai' | 'anthropic' | 'ollama', candidates: readonly ModelSpec[], auto: string): unknown {
  const ids = [{ id: auto, owner: 'rightsize', name: 'Rightsize Auto (routes to the smallest capable model)' },
    ...candidates.map((m) => ({ id: m.id, owner: m.provider, name: m.displayName }))];
  if (shape === 'openai') return { object: 'list', data: ids.map((m) => ({ id: m.id, object: 'model', created: EPOCH_S, owned_by: m.owner })) };
  if (shape === 'anthropic') {
    const data = ids.map((m) => ({ type: 'model', id: m.id, display_name: m.name, created_at: new Date(EPOCH_S * 1000).toISOString() }));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
  }
  const byId = new Map(candidates.map((m) => [m.id, m]));
  return {
    models: ids.map((m) => {
      const spec = byId.get(m.id);
      return {
        name: m.id, model: m.id, modified_at: new Date(EPOCH_S * 1000).toISOString(), size: 0, digest: '',
        details: { parent_model: '', format: 'gguf', family: spec?.family ?? 'rightsize', families: null,
          parameter_size: spec ? `${spec.params.totalB.max}B` : '', quantization_level: '' },
      };
    }),
  };
}
