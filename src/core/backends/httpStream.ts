// The request/stream scaffolding shared by the OpenAI-compatible and Anthropic backends: reads the key
// (nothing is sent without it), POSTs with the caller's AbortSignal through guardedFetch (no redirects,
// deadlines, caps), turns error statuses into phrased
// BackendErrors, runs the provider's SSE parser, and applies the stream contract of ollamaBackend.ts
// (one final usage part; on cancel or mid-stream failure an estimated usage part, then the error).
// No secret ever reaches an error: messages are built from fixed text plus redacted server messages.
import { BackendError, BackendUsage, ChatRequest, ModelSpec, Provider, StreamPart } from '../types';
import {
  MANAGE_KEYS_HINT, StreamTally, anySignal, cancelledError, httpStatusError, isConnectionError, networkCode, originOf,
  readErrorBody, redact, shortMessage, usagePart,
} from './common';
import { guardedFetch, NetworkLimits } from './guardedFetch';
import { SseTooLongError } from './sse';

/** What a provider parser gets: the response, the tally to feed, and the secrets to keep out of messages. */
export interface StreamParseContext {
  response: Response;
  tally: StreamTally;
  secrets: string[];
  /** The request, for estimates standing in for unusable reported counts. */
  request: ChatRequest;
}

export interface HttpStreamArgs {
  provider: Provider;
  label: string;
  url: string;
  apiKey: () => Promise<string | undefined>;
  /** When false, a missing key sends the request without credentials (local compatible servers). */
  keyRequired: boolean;
  headers: (key: string | undefined) => Record<string, string>;
  body: unknown;
  fetchImpl: typeof fetch;
  /** The setting holding the endpoint (named when a redirect is refused). */
  endpointSetting: string;
  limits?: Partial<NetworkLimits>;
  model: ModelSpec;
  request: ChatRequest;
  signal: AbortSignal;
  /** Yields text/toolCall parts; returns the reported usage, or undefined when the server sent none. */
  parse: (ctx: StreamParseContext) => AsyncGenerator<StreamPart, BackendUsage | undefined>;
}

export async function* httpStream(args: HttpStreamArgs): AsyncGenerator<StreamPart> {
  const { provider, label, signal, request, model } = args;
  const tally = new StreamTally();
  if (signal.aborted) {
    yield usagePart(tally.estimatedUsage(request));
    throw cancelledError(provider, label);
  }

  let key: string | undefined;
  try {
    key = (await args.apiKey())?.trim() || undefined;
  } catch {
    throw new BackendError(`Rightsize could not read the API key for ${label} from secret storage. ${MANAGE_KEYS_HINT} to enter it again.`, provider, 'auth');
  }
  if (!key && args.keyRequired) {
    throw new BackendError(`No API key is set for ${label}. ${MANAGE_KEYS_HINT} to add one.`, provider, 'auth');
  }
  const secrets = key ? [key] : [];
  if (signal.aborted) {
    yield usagePart(tally.estimatedUsage(request));
    throw cancelledError(provider, label);
  }

  let response: Response;
  // Our own controller too, so that a consumer that stops early releases the connection at once.
  const local = new AbortController();
  tally.sent = true;
  try {
    const guarded = guardedFetch(args.fetchImpl, { provider, label, endpointSetting: args.endpointSetting, limits: args.limits });
    response = await guarded(args.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...args.headers(key) },
      body: JSON.stringify(args.body),
      signal: anySignal(signal, local.signal),
    });
  } catch (e) {
    if (signal.aborted) {
      yield usagePart(tally.estimatedUsage(request, 'cancelled'));
      throw cancelledError(provider, label);
    }
    if (e instanceof BackendError) throw e; // refused redirect, deadline
    if (isConnectionError(e)) {
      const code = networkCode(e);
      throw new BackendError(`${label} is unreachable at ${originOf(args.url)}${code ? ` (${code})` : ''}. Check your network connection and the endpoint setting.`, provider, 'unreachable');
    }
    throw new BackendError(`${label} request failed: ${shortMessage(redact(String((e as Error)?.message ?? e), secrets))}.`, provider, 'server');
  }

  if (!response.ok) {
    const bodyText = await readErrorBody(response);
    throw httpStatusError({ provider, label, status: response.status, headers: response.headers, bodyText, modelId: model.id, secrets });
  }
  if (!response.body) {
    throw new BackendError(`${label} sent an empty response.`, provider, 'server');
  }

  let finished = false;
  const parser = args.parse({ response, tally, secrets, request });
  try {
    let reported: BackendUsage | undefined;
    for (;;) {
      const step = await parser.next();
      if (step.done) { reported = step.value; break; }
      yield step.value;
    }
    finished = true;
    yield usagePart(reported ?? tally.estimatedUsage(request));
  } catch (e) {
    if (signal.aborted) {
      yield usagePart(tally.estimatedUsage(request, 'cancelled'));
      throw cancelledError(provider, label);
    }
    yield usagePart(tally.estimatedUsage(request, 'error'));
    if (e instanceof BackendError) throw e;
    if (e instanceof SseTooLongError) {
      throw new BackendError(`${label} sent a line longer than ${e.maxChars} characters while "${model.id}" was answering; Rightsize stopped reading.`, provider, 'tooLarge');
    }
    if (isConnectionError(e) || (e as Error)?.message === 'terminated') {
      throw new BackendError(`${label} closed the connection while "${model.id}" was answering. Try again.`, provider, 'server');
    }
    throw new BackendError(`${label} failed while "${model.id}" was answering: ${shortMessage(redact(String((e as Error)?.message ?? e), secrets))}.`, provider, 'server');
  } finally {
    if (!finished) {
      // Consumer stopped early, cancel or error: make sure the connection is released.
      local.abort();
      try { await parser.return(undefined); } catch { /* already closed */ }
    }
  }
}
