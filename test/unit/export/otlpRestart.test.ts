// A restart in the middle of an export: the real CLI (`rightsize export --otlp`) is killed with SIGKILL
// while the collector holds a batch, or at random moments, and started again. Every record must reach
// the collector (no gaps) and none twice (no duplicates) — except, after a kill between the
// collector's acknowledgement and the cursor's commit, a repeat of that one batch with the same span
// ids, which the random-kill case allows and counts.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/ledger';
import { OtlpReceiver } from '../../fakes/otlpReceiver';
import { generateHistory } from '../../util/recordFactory';

const CLI = path.resolve(__dirname, '..', '..', '..', 'src', 'cli.js');

function startExport(dir: string, receiver: OtlpReceiver): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'export', '--otlp', '--since', 'all', '--ledger', dir], {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TIMEOUT: '3000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => { stderr += String(c); });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, done };
}

describe('export/OTLP: a restart mid-export gives no gaps and no duplicates', function () {
  this.timeout(120000);
  let dir: string;
  let receiver: OtlpReceiver;
  let ids: string[];
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-otlp-restart-'));
    const recs = generateHistory({ count: 2500, days: 20, end: new Date('2026-11-22T00:00:00Z'), seed: 13 });
    const ledger = new Ledger(dir);
    for (const r of recs) ledger.append(r);
    ids = recs.map((r) => r.id);
    receiver = await new OtlpReceiver().start();
  });
  afterEach(async () => {
    await receiver.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const received = (): string[] => receiver.spans.map((s) => String(s.attributes['rightsize.record.id']));

  it('SIGKILL while the collector holds a batch, then a restart: every record exactly once', async () => {
    let batches = 0;
    const first = startExport(dir, receiver);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        batches = receiver.requests.filter((r) => r.path === '/v1/traces' && r.status === 200).length;
        if (batches >= 3) { clearInterval(check); receiver.holdNextRequest(); resolve(); }
      }, 5);
    });
    await new Promise<void>((resolve) => { receiver.onHold = resolve; });
    first.child.kill('SIGKILL');
    await first.done;
    const before = received().length;
    assert.ok(before > 0 && before < ids.length, `killed mid-export (${before} of ${ids.length} received)`);
    const second = startExport(dir, receiver);
    const end = await second.done;
    assert.equal(end.code, 0, end.stderr);
    const got = received();
    assert.equal(new Set(got).size, got.length, 'no duplicates');
    assert.deepEqual([...got].sort(), [...ids].sort(), 'no gaps');
  });

  it('SIGKILL at random moments, three times: no gaps, and any repeat is the same span', async () => {
    for (let round = 0; round < 3; round++) {
      const run = startExport(dir, receiver);
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 250)));
      run.child.kill('SIGKILL');
      await run.done;
    }
    const last = startExport(dir, receiver);
    const end = await last.done;
    assert.equal(end.code, 0, end.stderr);
    const got = received();
    assert.deepEqual([...new Set(got)].sort(), [...ids].sort(), 'no gaps');
    const spanIdOf = new Map<string, string>();
    for (const s of receiver.spans) {
      const id = String(s.attributes['rightsize.record.id']);
      if (spanIdOf.has(id)) assert.equal(spanIdOf.get(id), s.spanId, 'a repeated record is the same span');
      spanIdOf.set(id, s.spanId);
    }
    const repeats = got.length - new Set(got).size;
    assert.ok(repeats <= 3 * 400, `at most one batch repeated per kill (${repeats} repeats)`);
  });
});
