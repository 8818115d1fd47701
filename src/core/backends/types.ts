// Errors of the backends, phrased for a human. (Re-exported by src/core/types.ts, where the rest of the
// stream contract lives.)
import type { Provider } from '../types';

/**
 * Why a backend request failed:
 *  - `unreachable`: nothing answered at the endpoint; `auth`: the key or account was refused;
 *  - `rateLimit`, `notFound`, `badRequest`, `server`: the server's answer;
 *  - `cancelled`: the caller's AbortSignal fired;
 *  - `redirect`: the endpoint answered with a redirect, which Rightsize never follows (keys and prompts
 *    stay with the configured origin);
 *  - `timeout`: a deadline of the exchange passed (see guardedFetch.ts);
 *  - `tooLarge`: the answer broke a size cap (body, line, or the output the request allowed).
 */
export type BackendErrorKind =
  | 'unreachable' | 'auth' | 'rateLimit' | 'notFound' | 'badRequest' | 'server' | 'cancelled'
  | 'redirect' | 'timeout' | 'tooLarge';

/** An error a backend raises, already phrased for a human; it never carries a secret. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly backend: Provider,
    readonly kind: BackendErrorKind,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
