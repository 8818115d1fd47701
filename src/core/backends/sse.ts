// Server-sent events (the WHATWG "event stream" format), parsed by `eventsource-parser` (linear in the
// input: a line split over many chunks is joined once, when its end arrives), with:
//  - a cap: a line (or an event's data) longer than `maxChars` (default 4 Mi characters) stops the stream
//    with an SseTooLongError instead of being buffered without bound;
//  - a leading U+FEFF stripped (the library only knows the BOM as raw bytes; fetch bodies are decoded here);
//  - the last event ID and retry value carried on every later event, as the spec's "last event ID" is;
//  - lenient end of stream: a last event the server did not terminate with a blank line is dispatched
//    (the spec drops it; usage chunks sent just before a connection closes matter more).
import { createParser, EventSourceMessage, ParseError } from 'eventsource-parser';

export interface SseEvent {
  /** `message` when the server sent no `event:` field. */
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

export const DEFAULT_SSE_MAX_CHARS = 4 * 1024 * 1024;

/** A line or an event's data longer than the parser's cap. */
export class SseTooLongError extends Error {
  constructor(readonly maxChars: number) {
    super(`a server-sent event line longer than ${maxChars} characters`);
    this.name = 'SseTooLongError';
  }
}

export class SseParser {
  private started = false;
  private lastId: string | undefined;
  private retry: number | undefined;
  private out: SseEvent[] = [];
  private failure: Error | undefined;
  private readonly parser;

  constructor(readonly maxChars = DEFAULT_SSE_MAX_CHARS) {
    this.parser = createParser({
      onEvent: (m: EventSourceMessage) => {
        if (m.id !== undefined) this.lastId = m.id;
        const ev: SseEvent = { event: m.event || 'message', data: m.data };
        if (this.lastId !== undefined) ev.id = this.lastId;
        if (this.retry !== undefined) ev.retry = this.retry;
        this.out.push(ev);
      },
      onRetry: (ms: number) => { this.retry = ms; },
      onError: (e: ParseError) => {
        if (e.type === 'max-buffer-size-exceeded') this.failure = new SseTooLongError(maxChars);
        // unknown fields and bad retry values are ignored, as the spec says
      },
      maxBufferSize: maxChars,
    });
  }

  /** Feeds text; returns the events completed by it. Throws SseTooLongError past the cap. */
  push(chunk: string): SseEvent[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (chunk.length > 0) this.parser.feed(chunk);
    return this.take();
  }

  /** Ends the stream; returns a last unterminated event, if any. */
  end(): SseEvent[] {
    this.parser.feed('\n\n');
    return this.take();
  }

  private take(): SseEvent[] {
    if (this.failure) throw this.failure;
    const events = this.out;
    this.out = [];
    return events;
  }
}

/** Reads a byte stream (a fetch body) as server-sent events. */
export async function* readSse(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, maxChars?: number): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  const parser = new SseParser(maxChars);
  for await (const bytes of body as AsyncIterable<Uint8Array>) {
    const events = parser.push(decoder.decode(bytes, { stream: true }));
    for (const e of events) yield e;
  }
  const tail = parser.push(decoder.decode());
  for (const e of tail) yield e;
  for (const e of parser.end()) yield e;
}
