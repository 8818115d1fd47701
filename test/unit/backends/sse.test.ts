// The SSE parser: chunk boundaries anywhere, line-end styles, comments, multi-line data, fields.
import * as assert from 'node:assert/strict';
import { SseEvent, SseParser, readSse } from '../../../src/core/backends/sse';

function parseAll(chunks: string[]): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

const STREAM = [
  ': this is a comment',
  'event: message_start',
  'data: {"a":1}',
  '',
  'data: line one',
  'data: line two',
  'id: 42',
  'retry: 1500',
  '',
  ':ping',
  'data:no-space',
  'unknown: field',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"a":1}' },
  { event: 'message', data: 'line one\nline two', id: '42', retry: 1500 },
  { event: 'message', data: 'no-space', id: '42', retry: 1500 },
  { event: 'message', data: '[DONE]', id: '42', retry: 1500 },
];

describe('SseParser', () => {
  it('parses events, comments, multi-line data, id, retry and unknown fields', () => {
    assert.deepEqual(parseAll([STREAM]), EXPECTED);
  });

  it('gives the same events whatever the chunk boundaries (every split point, \\n, \\r\\n and \\r)', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = STREAM.split('\n').join(eol);
      for (let i = 0; i <= text.length; i++) {
        assert.deepEqual(parseAll([text.slice(0, i), text.slice(i)]), EXPECTED, `eol ${JSON.stringify(eol)} split at ${i}`);
      }
      assert.deepEqual(parseAll([...text]), EXPECTED, `eol ${JSON.stringify(eol)} one char at a time`);
    }
  });

  it('does not dispatch an event with no data, and keeps an empty data line as an empty string', () => {
    assert.deepEqual(parseAll(['event: ping\n\n']), []);
    assert.deepEqual(parseAll(['data\n\n']), [{ event: 'message', data: '' }]);
    assert.deepEqual(parseAll(['data:\ndata:\n\n']), [{ event: 'message', data: '\n' }]);
  });

  it('strips a leading BOM and only one space after the colon', () => {
    assert.deepEqual(parseAll(['\ufeffdata:  two spaces\n\n']), [{ event: 'message', data: ' two spaces' }]);
  });

  it('dispatches a last event that was not terminated by a blank line', () => {
    assert.deepEqual(parseAll(['data: {"usage":1}']), [{ event: 'message', data: '{"usage":1}' }]);
    assert.deepEqual(parseAll(['data: x\r']), [{ event: 'message', data: 'x' }]);
  });

  it('resets the event type after each event', () => {
    assert.deepEqual(parseAll(['event: a\ndata: 1\n\ndata: 2\n\n']), [{ event: 'a', data: '1' }, { event: 'message', data: '2' }]);
  });
});

describe('readSse', () => {
  it('decodes UTF-8 split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo 👋 wörld\n\nevent: e\ndata: ✓\n\n');
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i++) yield bytes.slice(i, i + 1);
    }
    const out: SseEvent[] = [];
    for await (const e of readSse(pieces())) out.push(e);
    assert.deepEqual(out, [{ event: 'message', data: 'héllo 👋 wörld' }, { event: 'e', data: '✓' }]);
  });

  it('reads a fetch Response body', async () => {
    const res = new Response('data: 1\n\ndata: 2\n\n');
    const out: string[] = [];
    for await (const e of readSse(res.body!)) out.push(e.data);
    assert.deepEqual(out, ['1', '2']);
  });
});
