// The request/stream scaffolding shared by the OpenAI-compatible and Anthropic backends: reads the key
// (nothing is sent without it), POSTs with the caller's AbortSignal through guardedFetch (no redirects,
// deadlines, caps), turns error statuses into phrased
// BackendErrors, runs the provider's SSE parser, and applies the stream contract of ollamaBackend.ts
// (one final usage part; on cancel or mid-stream failure an estimated usage part, then the error).
// No secret ever reaches an error: messages are built from fixed text plus redacted server messages.
import { BackendError, BackendUsage, ChatRequest, ModelSpec, Provider, StreamPart } from '../types';
import {
  MANAGE_KEYS_HINT, StreamTally, cancelledError, followSignal, httpStatusError, isConnectionError, networkCode, originOf,
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
  const { provider, label, signal, request } = args;
  const tally = new StreamTally();
  if (signal.aborted) {
    yield usagePart(tally.estimatedUsage(request));
    throw cancelledError(provider, label);
  }
  const key = await readApiKey(args);
  const secrets = key ? [key] : [];
  if (signal.aborted) {
    yield usagePart(tally.estimatedUsage(request));
    throw cancelledError(provider, label);
  }

  let response: Response;
  // Our own controller too, so that a consumer that stops early releases the connection at once; it follows
  // the caller's signal.
  const linked = followSignal(signal);
  const local = linked.controller;
  tally.sent = true;
  try {
    const guarded = guardedFetch(args.fetchImpl, { provider, label, endpointSetting: args.endpointSetting, limits: args.limits });
    response = await guarded(args.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...args.headers(key) },
      body: JSON.stringify(args.body),
      signal: local.signal,
    });
  } catch (e) {
    linked.unlink();
    if (signal.aborted) {
      yield usagePart(tally.estimatedUsage(request, 'cancelled'));
      throw cancelledError(provider, label);
    }
    throw requestError(e, args, secrets);
  }
  try {
    await checkResponse(response, args, secrets);
  } catch (e) {
    linked.unlink();
    throw e;
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
    throw answerError(e, args, secrets);
  } finally {
    linked.unlink();
    if (!finished) {
      // Consumer stopped early, cancel or error: make sure the connection is released.
      local.abort();
      try { await parser.return(undefined); } catch { /* already closed */ }
    }
  }
}

/** The API key from secret storage (trimmed; undefined when none), or the error that says how to set one. */
async function readApiKey(args: HttpStreamArgs): Promise<string | undefined> {
  const { provider, label } = args;
  let key: string | undefined;
  try {
    key = (await args.apiKey())?.trim() || undefined;
  } catch {
    throw new BackendError(`Rightsize could not read the API key for ${label} from secret storage. ${MANAGE_KEYS_HINT} to enter it again.`, provider, 'auth');
  }
  if (!key && args.keyRequired) {
    throw new BackendError(`No API key is set for ${label}. ${MANAGE_KEYS_HINT} to add one.`, provider, 'auth');
  }
  return key;
}

/** Why the request got no response (not cancelled), phrased for a human. */
function requestError(e: unknown, args: HttpStreamArgs, secrets: string[]): BackendError {
  const { provider, label } = args;
  if (e instanceof BackendError) return e; // refused redirect, deadline
  if (isConnectionError(e)) {
    const code = networkCode(e);
    return new BackendError(`${label} is unreachable at ${originOf(args.url)}${code ? ` (${code})` : ''}. Check your network connection and the endpoint setting.`, provider, 'unreachable');
  }
  return new BackendError(`${label} request failed: ${shortMessage(redact(String((e as Error)?.message ?? e), secrets))}.`, provider, 'server');
}

/** Throws the error an HTTP error status or a response without a body means. */
async function checkResponse(response: Response, args: HttpStreamArgs, secrets: string[]): Promise<void> {
  const { provider, label, model } = args;
  if (!response.ok) {
    const bodyText = await readErrorBody(response);
    throw httpStatusError({ provider, label, status: response.status, headers: response.headers, bodyText, modelId: model.id, secrets });
  }
  if (!response.body) {
    throw new BackendError(`${label} sent an empty response.`, provider, 'server');
  }
}

/** Why an answer stopped while it streamed (not cancelled), phrased for a human. */
function answerError(e: unknown, args: HttpStreamArgs, secrets: string[]): BackendError {
  const { provider, label, model } = args;
  if (e instanceof BackendError) return e;
  if (e instanceof SseTooLongError) {
    return new BackendError(`${label} sent a line longer than ${e.maxChars} characters while "${model.id}" was answering; Rightsize stopped reading.`, provider, 'tooLarge');
  }
  if (isConnectionError(e) || (e as Error)?.message === 'terminated') {
    return new BackendError(`${label} closed the connection while "${model.id}" was answering. Try again.`, provider, 'server');
  }
  return new BackendError(`${label} failed while "${model.id}" was answering: ${shortMessage(redact(String((e as Error)?.message ?? e), secrets))}.`, provider, 'server');
}
