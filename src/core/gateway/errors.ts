// A gateway failure phrased for the client, with the HTTP status each wire format answers it with.
import { PipelineError } from '../pipeline';
import { BackendError } from '../types';
import { errorText } from '../errorText';

export type GatewayErrorKind =
  | 'badRequest' | 'auth' | 'forbidden' | 'notFound' | 'tooLarge' | 'rateLimit' | 'server' | 'timeout' | 'unavailable' | 'budget';

const STATUS: Readonly<Record<GatewayErrorKind, number>> = {
  badRequest: 400, auth: 401, forbidden: 403, budget: 403, notFound: 404, tooLarge: 413, rateLimit: 429,
  server: 502, unavailable: 503, timeout: 504,
};

export class GatewayError extends Error {
  readonly status: number;
  constructor(message: string, readonly kind: GatewayErrorKind, readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'GatewayError';
    this.status = STATUS[kind];
  }
}

/**
 * What the client is told when the pipeline failed. `clientCredential`: the backend used the client's own
 * key, so its rejection is the client's 401; Rightsize's own key being refused is Rightsize's problem (502).
 */
export function gatewayErrorOf(e: unknown, clientCredential = false): GatewayError {
  if (e instanceof GatewayError) return e;
  const cause = e instanceof PipelineError ? e.cause : e;
  const message = `Rightsize: ${errorText(e)}`;
  if (cause instanceof BackendError) {
    switch (cause.kind) {
      case 'auth': return new GatewayError(message, clientCredential ? 'auth' : 'server');
      case 'rateLimit': return new GatewayError(message, 'rateLimit', cause.retryAfterSeconds);
      case 'notFound': return new GatewayError(message, 'notFound');
      case 'badRequest': return new GatewayError(message, 'badRequest');
      case 'unreachable': return new GatewayError(message, 'unavailable');
      case 'cancelled': return new GatewayError(message, 'timeout');
      default: return new GatewayError(message, 'server', cause.retryAfterSeconds);
    }
  }
  if (e instanceof PipelineError && !e.record) return new GatewayError(message, 'notFound');
  return new GatewayError(message, 'unavailable');
}
