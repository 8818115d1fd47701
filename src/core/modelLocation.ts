// Where a model runs. `ModelSpec.location` says where its provider sits (an Ollama model is `local`: it is
// reached through the Ollama server the user set); `ModelSpec.remote` marks the Ollama models that server
// only forwards (`-cloud` models, a `remote_host`), which run in a data centre. Every question of "does it
// run here" (routing, residency, energy, prices, docs) is answered by these two functions, so the two
// fields are read together in one place.
import type { Location, ModelSpec } from './types';

/** Where a model really runs: an Ollama model served remotely is not local. */
export function effectiveLocation(m: Pick<ModelSpec, 'location' | 'remote'>): Location {
  return m.location === 'local' && m.remote !== true ? 'local' : 'cloud';
}

/** True when the model runs on the machine (or the Ollama host) the user runs it on. */
export function runsLocally(m: Pick<ModelSpec, 'location' | 'remote'>): boolean {
  return effectiveLocation(m) === 'local';
}
