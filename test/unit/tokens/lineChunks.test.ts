// Line-chunked counting of long texts is exact: on every long text of the captured envelopes and on
// texts built to stress the cut rule, the chunked count equals counting the whole text at once.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import { lineChunkCuts, LINE_CHUNK_CHARS, TokenCounter } from '../../../src/core/tokens/tokenCounter';
import { ENVELOPE_DIR } from '../../util/envelopes';

function longTexts(): string[] {
  const out = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') { if (v.length >= 2048) out.add(v); return; }
    if (Array.isArray(v)) { for (const x of v) visit(x); return; }
    if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x);
  };
  for (const f of fs.readdirSync(ENVELOPE_DIR).filter((x) => x.endsWith('.json'))) visit(JSON.parse(fs.readFileSync(`${ENVELOPE_DIR}/${f}`, 'utf8')));
  return [...out];
}

describe('tokens: line-chunked counting', () => {
  const chunked = new TokenCounter();
  const whole = new TokenCounter({ lineChunkMinChars: Infinity });
  after(() => { chunked.dispose(); whole.dispose(); });

  it('equals the whole-text count on every long text of the captured envelopes, for both encodings', () => {
    const texts = longTexts();
    assert.ok(texts.length >= 10, `${texts.length} long texts`);
    let cutTexts = 0;
    for (const t of texts) {
      if (lineChunkCuts(t)) cutTexts++;
      for (const enc of ['o200k_base', 'cl100k_base'] as const) assert.equal(chunked.countText(t, enc), whole.countText(t, enc), `${enc}: ${t.slice(0, 60)}`);
    }
    assert.ok(cutTexts >= 5, `${cutTexts} texts were cut into chunks`);
  });

  it('equals it where a cut could go wrong: punctuation runs with // after a line break, blank lines, digits, non-Latin letters', () => {
    const line = (i: number): string => [
      `}\n//comment ${i}\n`, '\n\n\nword', `  indented ${i}\r\n`, `${i}${i}${i}${i} digits\n`, 'Ünïcödé ñame\n', '日本語のテキスト\n', "it's\n's\n", '  \n\tTab\n',
    ][i % 8];
    let text = '';
    for (let i = 0; text.length < 12 * LINE_CHUNK_CHARS; i++) text += line(i);
    assert.ok((lineChunkCuts(text) ?? []).length >= 4, `${(lineChunkCuts(text) ?? []).length} cuts`);
    for (const enc of ['o200k_base', 'cl100k_base'] as const) assert.equal(chunked.countText(text, enc), whole.countText(text, enc));
  });

  it('a changed line costs only its chunk', () => {
    const counter = new TokenCounter();
    const base = Array.from({ length: 400 }, (_, i) => `Rule ${i}: keep the answer short and cite the file you read.`).join('\n');
    counter.countText(base);
    const before = counter.stats().encodedChars;
    counter.countText(base.replace('Rule 200:', 'Rule 200 (changed today):'));
    const encoded = counter.stats().encodedChars - before;
    assert.ok(encoded < 2.5 * LINE_CHUNK_CHARS, `re-encoded ${encoded} of ${base.length} characters`);
    counter.dispose();
  });
});
