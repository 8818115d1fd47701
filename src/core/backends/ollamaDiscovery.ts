// Model discovery for the Ollama backend: /api/tags, then /api/show of each model in parallel.
import type { Ollama } from 'ollama';
import type { OllamaShowInfo } from '../catalog/ollamaModels';

/** Ollama's model details (from /api/tags and /api/show). */
export interface OllamaModelDetails {
  parent_model?: string;
  format?: string;
  family?: string;
  families?: string[] | null;
  parameter_size?: string;
  quantization_level?: string;
}

/** One model Ollama has, with what /api/show said of it (undefined when that failed). */
export interface DiscoveredOllamaModel {
  tag: string;
  sizeBytes: number;
  digest: string;
  modifiedAt: string;
  details: OllamaModelDetails;
  /** From /api/tags: the model runs remotely. */
  remote?: { host: string; model: string };
  show: OllamaShowInfo | undefined;
}

/** A model loaded in memory (/api/ps). */
export interface RunningOllamaModel {
  tag: string;
  sizeBytes: number;
  sizeVramBytes: number;
  expiresAt: string;
}

/**
 * Every model Ollama has (`/api/tags`), each with its `/api/show` (fetched in parallel, at most
 * `showConcurrency` at once; a failing show gives `show: undefined`). `onShow` hears each model once its
 * show is in; a failing /api/tags is thrown as `mapError` phrases it.
 */
export async function discoverOllamaModels(
  client: Ollama, showConcurrency: number, signal: AbortSignal | undefined,
  mapError: (e: unknown) => Error, onShow: (m: DiscoveredOllamaModel) => void,
): Promise<DiscoveredOllamaModel[]> {
  let tags: Array<Record<string, any>>;
  try {
    tags = ((await client.list()).models ?? []) as unknown as Array<Record<string, any>>;
  } catch (e) {
    throw mapError(e);
  }
  const out: DiscoveredOllamaModel[] = tags.map((t) => ({
    tag: String(t.name ?? t.model),
    sizeBytes: Number(t.size ?? 0),
    digest: String(t.digest ?? ''),
    modifiedAt: String(t.modified_at ?? ''),
    details: (t.details ?? {}) as OllamaModelDetails,
    ...(typeof t.remote_host === 'string' && t.remote_host
      ? { remote: { host: t.remote_host, model: String(t.remote_model ?? '') } } : {}),
    show: undefined,
  }));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < out.length) {
      const m = out[next++];
      if (signal?.aborted) return;
      try {
        m.show = (await client.show({ model: m.tag })) as unknown as OllamaShowInfo;
      } catch {
        m.show = undefined;
      }
      onShow(m);
    }
  };
  await Promise.all(Array.from({ length: Math.min(showConcurrency, out.length) }, worker));
  return out;
}
