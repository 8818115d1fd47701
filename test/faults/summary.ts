// The fault tier's summary: each case says what it tried and what held (`held`), and at the end of the run
// one table lists every case, with the ones that failed marked, so `npm run test:faults` reads as a report.
// Detail lines (`say`) print under their test as it runs.

interface Row { area: string; tried: string; held: string; ok: boolean }

const rows: Row[] = [];
let current: { area: string; recorded: boolean } | undefined;

/** A detail line under the running test. */
export function say(m: string): void {
  process.stdout.write(`      · ${m}\n`);
}

/** What the running case tried and what held (measured numbers in `heldText`). */
export function held(tried: string, heldText: string): void {
  rows.push({ area: current?.area ?? '', tried, held: heldText, ok: true });
  if (current) current.recorded = true;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) { out.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}

beforeEach(function () {
  current = { area: this.currentTest?.parent?.title.replace(/^faults: /, '') ?? '', recorded: false };
});

afterEach(function () {
  const t = this.currentTest;
  if (t && t.state !== 'passed') {
    rows.push({ area: current?.area ?? '', tried: t.title, held: `NOT HELD (${t.state ?? 'did not finish'})`, ok: false });
  }
  current = undefined;
});

after(function () {
  if (!rows.length) return;
  const width = Math.max(60, Math.min(process.stdout.columns || 110, 140));
  const col = Math.floor((width - 7) / 2);
  const bar = '─'.repeat(width);
  const out: string[] = ['', bar, `Fault injection summary: ${rows.filter((r) => r.ok).length} of ${rows.length} cases held`, bar];
  let area = '';
  for (const r of rows) {
    if (r.area !== area) { area = r.area; out.push(`${area}`); }
    const a = wrap(r.tried, col);
    const b = wrap(r.held, col);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      out.push(`  ${i === 0 ? (r.ok ? '✔' : '✘') : ' '} ${(a[i] ?? '').padEnd(col)} ${i === 0 ? '→' : ' '} ${b[i] ?? ''}`);
    }
  }
  out.push(bar, '');
  process.stdout.write(out.join('\n') + '\n');
});
