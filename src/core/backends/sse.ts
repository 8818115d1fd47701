// A small server-sent-events parser (the WHATWG "event stream" format).
// Handles chunk boundaries anywhere (inside a line, between `\r` and `\n`, inside a UTF-8 sequence when
// fed bytes through `readSse`), `\n`, `\r\n` and `\r` line ends, comment lines (`: ping`), multi-line
// `data:` (joined with `\n`), `event:`, `id:` and `retry:` fields, a leading BOM, and a last event that
// the server did not terminate with a blank line (dispatched at end of stream; the spec drops it, but
// lenient is safer for usage chunks sent just before a connection closes).

export interface SseEvent {
  /** `message` when the server sent no `event:` field. */
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

export class SseParser {
  private buffer = '';
  private started = false;
  private data: string[] = [];
  private eventType = '';
  private lastId: string | undefined;
  private retry: number | undefined;
  private hasData = false;

  /** Feeds text; returns the events completed by it. */
  push(chunk: string): SseEvent[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buffer += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    const buf = this.buffer;
    for (let i = 0; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 13 && i === buf.length - 1) break; // a `\r` at the end: wait, a `\n` may follow
      this.line(buf.slice(start, i), out);
      if (c === 13 && buf.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.buffer = buf.slice(start);
    return out;
  }

  /** Ends the stream; returns a last unterminated event, if any. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer.length > 0) {
      const rest = this.buffer.endsWith('\r') ? this.buffer.slice(0, -1) : this.buffer;
      this.buffer = '';
      this.line(rest, out);
    }
    this.dispatch(out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return; // comment
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon < 0) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    switch (field) {
      case 'data': this.data.push(value); this.hasData = true; break;
      case 'event': this.eventType = value; break;
      case 'id': if (!value.includes('\0')) this.lastId = value; break;
      case 'retry': if (/^\d+$/.test(value)) this.retry = Number(value); break;
      default: break; // unknown fields are ignored
    }
  }

  private dispatch(out: SseEvent[]): void {
    if (this.hasData) {
      const ev: SseEvent = { event: this.eventType || 'message', data: this.data.join('\n') };
      if (this.lastId !== undefined) ev.id = this.lastId;
      if (this.retry !== undefined) ev.retry = this.retry;
      out.push(ev);
    }
    this.data = [];
    this.hasData = false;
    this.eventType = '';
  }
}

/** Reads a byte stream (a fetch body) as server-sent events. */
export async function* readSse(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder('utf-8');
  const parser = new SseParser();
  for await (const bytes of body as AsyncIterable<Uint8Array>) {
    const events = parser.push(decoder.decode(bytes, { stream: true }));
    for (const e of events) yield e;
  }
  const tail = parser.push(decoder.decode());
  for (const e of tail) yield e;
  for (const e of parser.end()) yield e;
}
