// Ollama's failures phrased for a human: not running, no such model, sign-in needed, rate limit, refused, failed.
import { BackendError } from '../types';
import { isConnectionError, shortMessage } from './common';

/** The BackendError for `e` from Ollama at `host` while running model `id` ('' when none); `accepted`: the
 *  server had accepted the request (a failure mid-answer). */
export function ollamaError(e: unknown, host: string, id: string, accepted: boolean): BackendError {
  if (e instanceof BackendError) return e; // refused redirect, deadline, cap (guardedFetch)
  const status = (e as { status_code?: unknown } | undefined)?.status_code;
  const serverMessage = shortMessage(String((e as { error?: unknown; message?: unknown } | undefined)?.error
    ?? (e as Error | undefined)?.message ?? e));
  if (!accepted && typeof status !== 'number' && isConnectionError(e)) {
    return new BackendError(
      `Ollama is not running at ${host}. Start it with \`ollama serve\` (or open the Ollama app), or set rightsize.ollama.host.`,
      'ollama', 'unreachable');
  }
  if (typeof status === 'number') {
    if (status === 404 && id) {
      return new BackendError(`Ollama has no model "${id}". Pull it with \`ollama pull ${id}\`.`, 'ollama', 'notFound');
    }
    if (status === 401 || status === 403) {
      return new BackendError(
        `Ollama could not run "${id}" (${status}: ${serverMessage}). Cloud models need you signed in to ollama.com: run \`ollama signin\`.`,
        'ollama', 'auth');
    }
    if (status === 429) {
      return new BackendError(`Ollama rate-limited the request for "${id}" (429); retry in a moment.`, 'ollama', 'rateLimit');
    }
    if (status >= 400 && status < 500) {
      return new BackendError(`Ollama refused the request for "${id}" (${status}): ${serverMessage}.`, 'ollama', 'badRequest');
    }
    return new BackendError(`Ollama failed while running "${id}" (${status}): ${serverMessage}.`, 'ollama', 'server');
  }
  if (accepted) {
    return new BackendError(`Ollama stopped while "${id}" was answering: ${serverMessage}.`, 'ollama', 'server');
  }
  return new BackendError(`Ollama at ${host} failed: ${serverMessage}.`, 'ollama', 'server');
}
