// What OpenAI's Chat Completions and Responses formats share: the error shape and the mapping of image
// URLs (only `data:` URLs are carried; the gateway fetches nothing).
import type { MessagePart } from '../../types';
import { parseArguments } from '../../backends/openaiBackend';
import { GatewayError, GatewayErrorKind } from '../errors';

const TYPES: Readonly<Record<GatewayErrorKind, [string, string | null]>> = {
  badRequest: ['invalid_request_error', null], auth: ['authentication_error', 'invalid_api_key'], forbidden: ['permission_error', null],
  budget: ['budget_exceeded', 'rightsize_budget_block'], notFound: ['invalid_request_error', 'model_not_found'],
  tooLarge: ['invalid_request_error', 'request_too_large'], rateLimit: ['rate_limit_error', 'rate_limit_exceeded'],
  server: ['server_error', null], unavailable: ['server_error', 'backend_unavailable'], timeout: ['timeout', 'request_timeout'],
};

export function openaiErrorBody(e: GatewayError): { error: { message: string; type: string; param: null; code: string | null } } {
  const [type, code] = TYPES[e.kind];
  return { error: { message: e.message, type, param: null, code } };
}

export function openaiError(e: GatewayError): { status: number; body: unknown } {
  return { status: e.status, body: openaiErrorBody(e) };
}

/** An image part from a `data:` URL; undefined for remote URLs. */
export function imageFromUrl(url: unknown): MessagePart | undefined {
  if (typeof url !== 'string') return undefined;
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!m) return undefined;
  return { type: 'image', mimeType: m[1], bytes: Math.floor((m[2].length * 3) / 4), dataBase64: m[2] };
}

/** A tool call's arguments: an object as sent (Ollama), or JSON text (OpenAI), parsed as the backend does. */
export function argumentsOf(args: unknown): Record<string, unknown> {
  if (args && typeof args === 'object' && !Array.isArray(args)) return args as Record<string, unknown>;
  return typeof args === 'string' ? parseArguments(args) : {};
}
