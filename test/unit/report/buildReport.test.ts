import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger, ledgerFileInfo } from '../../../src/core/ledger';
import { RollupStore, aggregate, buildReport, periodRange, periodTotals } from '../../../src/core/report';
import type { ReportQuery, RollupHeader } from '../../../src/core/report';
import type { UsageRecord } from '../../../src/core/types';
import { generateHistory, makeRecord } from '../../util/recordFactory';
import { assertClose, withTimeZone } from './helpers';

const sum = (rs: UsageRecord[], f: (r: UsageRecord) => number): number => rs.reduce((a, r) => a + f(r), 0);

describe('report/buildReport with rollups', function () {
  this.timeout(60000);
  withTimeZone('America/New_York');
  const now = new Date('2025-06-18T16:00:00.000Z');
  let dir: string;
  let warnings: string[];
  let recs: UsageRecord[];
  let ledger: Ledger;
  const opts = () => ({ onWarning: (m: string) => warnings.push(m) });
  const rollupFiles = (): string[] => (fs.existsSync(path.join(dir, 'rollups')) ? fs.readdirSync(path.join(dir, 'rollups')).sort() : []);
  const file = (month: string) => ledgerFileInfo(dir, `usage-${month}.jsonl`)!;
  const header = (p: string): RollupHeader => JSON.parse(fs.readFileSync(p, 'utf8').split('\n')[0]) as RollupHeader;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-report-'));
    warnings = [];
    ledger = new Ledger(dir, opts());
    recs = generateHistory({ count: 3000, days: 100, end: now, seed: 21 });
    for (const r of recs) ledger.append(r);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const queries: ReportQuery[] = [
    { kind: 'week', now },
    { kind: 'week', now, workspace: 'ws-alpha' },
    { kind: 'month', now, workspace: 'ws-gamma', topN: 3 },
    { kind: 'lastWeek', now },
    { kind: 'last30Days', now, workspace: 'ws-beta' },
    { kind: 'day', now },
    { kind: 'custom', now, start: new Date('2025-04-01T04:00:00.000Z'), end: new Date('2025-05-15T04:00:00.000Z') },
    { kind: 'custom', now },
    { kind: 'week', now, timeZone: 'UTC' },
  ];

  it('equals the pure aggregate over the same records, cold and warm, for several periods and workspaces', async () => {
    for (const q of queries) {
      const expected = aggregate(recs, q);
      assertClose(await buildReport(ledger, q, opts()), expected, `cold ${q.kind}/${q.workspace ?? '*'}`);
      assertClose(await buildReport(ledger, q, opts()), expected, `warm ${q.kind}/${q.workspace ?? '*'}`);
    }
    assert.ok(rollupFiles().some((f) => f.endsWith('.local_America_New_York.rollup.json')));
    assert.ok(rollupFiles().some((f) => f.endsWith('.UTC.rollup.json')));
    assert.deepEqual(warnings, []);
  });

  it('reads a valid rollup and scans only the uncovered tail, then covers more bytes after more appends', async () => {
    const store = new RollupStore(ledger, 'local');
    const june = file('2025-06');
    const first = await store.load(june);
    assert.equal(first.source, 'built');
    assert.equal(first.persisted, true);
    const size1 = fs.statSync(june.path).size;
    const covered = (): number => header(store.pathFor(june)).coveredBytes;
    assert.equal(covered(), size1);
    const again = await store.load(june);
    assert.equal(again.source, 'rollup');
    assert.equal(again.verifiedBy, 'metadata', 'nothing written since: size and mtime are enough');
    assert.equal(again.scannedBytes, 0);
    assert.equal(again.persisted, false);

    const more = generateHistory({ count: 40, days: 1, end: new Date('2025-06-18T20:00:00.000Z'), seed: 99 });
    for (const r of more) ledger.append(r);
    const size2 = fs.statSync(june.path).size;
    const lazy = await new RollupStore(ledger, 'local', { readOnly: true }).load(june);
    assert.equal(lazy.source, 'rollup');
    assert.equal(lazy.verifiedBy, 'checksum', 'the file grew: the covered bytes are hashed again');
    assert.equal(lazy.scannedBytes, size2 - size1);
    assert.equal(lazy.persisted, false);
    assert.equal(covered(), size1);
    const q: ReportQuery = { kind: 'week', now: new Date('2025-06-18T22:00:00.000Z') };
    assertClose(await buildReport(ledger, q, { readOnly: true }), aggregate([...recs, ...more], q), 'report with an uncovered tail');
    const eager = await store.load(june);
    assert.equal(eager.persisted, true);
    assert.equal(covered(), size2);
    assert.equal((await store.load(june)).verifiedBy, 'metadata');
    assertClose(await buildReport(ledger, q), aggregate([...recs, ...more], q), 'report after the rollup moved on');
  });

  it('catches a same-length edit in the middle of a covered file (issue 8) and rebuilds from the ledger', async () => {
    const june = file('2025-06');
    const store = new RollupStore(ledger, 'local', opts());
    await store.load(june);
    const q: ReportQuery = { kind: 'month', now };
    const text = fs.readFileSync(june.path, 'utf8');
    const victim = recs.filter((r) => r.ts >= '2025-06-05' && r.cost.usd > 0.001)[5];
    const usd = JSON.stringify(victim.cost.usd);
    const bigger = `9.${'9'.repeat(usd.length)}`.slice(0, usd.length); // same width, about $10
    const at = text.indexOf(`"id":"${victim.id}"`);
    const edited = text.slice(0, at) + text.slice(at).replace(`"usd":${usd}`, `"usd":${bigger}`);
    assert.equal(Buffer.byteLength(edited), Buffer.byteLength(text), 'same length');
    const fd = fs.openSync(june.path, 'r+');
    fs.writeSync(fd, Buffer.from(edited), 0, Buffer.byteLength(edited), 0);
    fs.closeSync(fd);
    fs.appendFileSync(june.path, ''); // (no growth: only the in-place write moved the mtime)
    const changed = recs.map((r) => (r.id === victim.id ? { ...r, cost: { ...r.cost, usd: Number(bigger) } } : r));
    warnings = [];
    const r = await store.load(june);
    assert.equal(r.source, 'rebuilt');
    assert.ok(warnings.some((w) => /changed inside the \d+ bytes it covers/.test(w)), warnings.join('\n'));
    assertClose(await buildReport(ledger, q), aggregate(changed, q), 'after the edit');
  });

  it('counts a complete but unterminated last record without covering it, and skips a torn one', async () => {
    const store = new RollupStore(ledger, 'local', { minTailBytesToPersist: 0 });
    await store.load(file('2025-06'));
    const extra = makeRecord({ ts: '2025-06-18T15:00:00.000Z', workspace: { id: 'ws-alpha', name: 'alpha' } });
    fs.appendFileSync(file('2025-06').path, JSON.stringify(extra)); // no '\n'
    const q: ReportQuery = { kind: 'day', now };
    assertClose(await buildReport(ledger, q), aggregate([...recs, extra], q));
    fs.appendFileSync(file('2025-06').path, '\n{"v":1,"id":"torn-'); // now torn
    const rep = await buildReport(ledger, q);
    assertClose({ ...rep, corruptLines: 0 }, aggregate([...recs, extra], q));
    assert.equal(rep.corruptLines, 1);
  });

  it('merges the top requests of a local day that spans two monthly files', async () => {
    // May 31 in New York runs 04:00Z May 31 → 04:00Z June 1: its evening is in usage-2025-06.jsonl
    const pricey = (id: string, ts: string, usd: number) => makeRecord({ id, ts, cost: { usd, method: 'x' } });
    const inMay = pricey('pricey-may', '2025-05-31T12:00:00.000Z', 50);
    const inJune = pricey('pricey-june', '2025-06-01T01:00:00.000Z', 60);
    ledger.append(inMay);
    ledger.append(inJune);
    const q: ReportQuery = { kind: 'custom', now, start: new Date('2025-05-31T04:00:00.000Z'), end: new Date('2025-06-01T04:00:00.000Z'), topN: 2 };
    const rep = await buildReport(ledger, q);
    assert.deepEqual(rep.top.map((t) => t.id), ['pricey-june', 'pricey-may']);
    assertClose(rep, aggregate([...recs, inMay, inJune], q));
    // and an unterminated last record that is the most expensive of its day
    const tail = pricey('pricey-tail', '2025-06-18T15:00:00.000Z', 70);
    fs.appendFileSync(file('2025-06').path, JSON.stringify(tail));
    const day = await buildReport(ledger, { kind: 'day', now, topN: 1 });
    assert.deepEqual(day.top.map((t) => t.id), ['pricey-tail']);
  });

  it('rebuilds a corrupt, tampered or stale rollup instead of trusting it', async () => {
    const june = file('2025-06');
    const store = new RollupStore(ledger, 'local', { ...opts(), minTailBytesToPersist: 0 });
    await store.load(june);
    const rp = store.pathFor(june);
    const q: ReportQuery = { kind: 'month', now };
    const expected = aggregate(recs, q);

    fs.writeFileSync(rp, '{"format":1, this is not json');
    let r = await store.load(june);
    assert.equal(r.source, 'rebuilt');
    assert.ok(warnings.some((w) => /rejected \(not JSON\)/.test(w)), warnings.join('\n'));
    assertClose(await buildReport(ledger, q), expected, 'after garbage');

    const bytes = fs.readFileSync(rp);
    bytes[bytes.length - 3] ^= 0x40; // a number changed by hand: the checksum no longer holds
    fs.writeFileSync(rp, bytes);
    warnings = [];
    r = await store.load(june);
    assert.equal(r.source, 'rebuilt');
    assert.ok(warnings.some((w) => /checksum mismatch/.test(w)));
    assertClose(await buildReport(ledger, q), expected, 'after tampering');
    assert.equal((await store.load(june)).source, 'rollup', 'the rebuilt rollup is trusted again');

    // the ledger file is rewritten with different content (same inode): covered bytes changed
    const kept = recs.filter((x) => x.id !== recs.filter((y) => y.ts >= '2025-06')[0].id);
    const lines = fs.readFileSync(june.path, 'utf8').split('\n').filter((l) => l.length > 0);
    fs.writeFileSync(june.path, lines.slice(1).join('\n') + '\n');
    warnings = [];
    r = await store.load(june);
    assert.equal(r.source, 'rebuilt');
    assert.ok(warnings.some((w) => /covered bytes changed|covers more bytes|replaced/.test(w)), warnings.join('\n'));
    assertClose(await buildReport(ledger, q), aggregate(kept, q), 'after the ledger was rewritten');

    // a rollup made for another time zone is never used for this one
    const utcStore = new RollupStore(ledger, 'UTC', { minTailBytesToPersist: 0 });
    await utcStore.load(june);
    fs.copyFileSync(utcStore.pathFor(june), rp);
    warnings = [];
    assert.equal((await store.load(june)).source, 'rebuilt');
    assert.ok(warnings.some((w) => /time zone UTC/.test(w)));
  });

  it('survives concurrent builders: every report is right and the rollups left behind are valid', async () => {
    const q: ReportQuery = { kind: 'last30Days', now };
    const expected = aggregate(recs, q);
    const reports = await Promise.all(Array.from({ length: 4 }, () => buildReport(ledger, q, { minTailBytesToPersist: 0 })));
    for (const rep of reports) assertClose(rep, expected);
    assert.deepEqual(rollupFiles().filter((f) => f.endsWith('.tmp')), []);
    const store = new RollupStore(ledger, 'local');
    for (const month of ['2025-05', '2025-06']) assert.equal((await store.load(file(month))).source, 'rollup');
  });

  it('reports corrupt lines from rollups and from scanned tails', async () => {
    const june = file('2025-06');
    fs.appendFileSync(june.path, 'garbage line\n{"v":1,"id":"incomplete"}\n');
    const q: ReportQuery = { kind: 'month', now };
    const cold = await buildReport(ledger, q, { minTailBytesToPersist: 0 });
    assert.equal(cold.corruptLines, 2);
    const warm = await buildReport(ledger, q);
    assert.equal(warm.corruptLines, 2, 'kept in the rollup');
    assertClose({ ...warm, corruptLines: 0 }, aggregate(recs, q));
  });

  it('scans for ranges off day boundaries and for top lists longer than the rollups keep', async () => {
    for (const q of [
      { kind: 'custom', now, start: new Date('2025-05-02T13:00:00.000Z'), end: new Date('2025-06-01T09:30:00.000Z') },
      { kind: 'week', now, topN: 60 },
    ] as ReportQuery[]) {
      assertClose(await buildReport(ledger, q), aggregate(recs, q), q.kind);
    }
  });

  it('reports sessions, including one that crosses a month boundary', async () => {
    assertClose(await buildReport(ledger, { kind: 'session', now }), aggregate(recs, { kind: 'session', now }), 'latest');
    const s = recs[1500].session;
    assertClose(await buildReport(ledger, { kind: 'session', session: s, now }), aggregate(recs, { kind: 'session', session: s, now }), 'named');
    const crossing = ['2025-05-31T23:00:00.000Z', '2025-06-01T01:00:00.000Z', '2025-06-01T02:00:00.000Z'].map((ts) => makeRecord({ ts, session: 'long-one', workspace: { id: 'ws-zeta', name: 'zeta' } }));
    for (const r of crossing) ledger.append(r);
    const rep = await buildReport(ledger, { kind: 'session', session: 'long-one', now });
    assert.equal(rep.totals.requests, 3);
    assertClose(rep, aggregate([...recs, ...crossing], { kind: 'session', session: 'long-one', now }));
    const latestInWs = await buildReport(ledger, { kind: 'session', workspace: 'ws-zeta', now });
    assert.equal(latestInWs.totals.requests, 3);
  });

  it('gives the budget gate its session, day, week and month usage', async () => {
    const ws = 'ws-beta';
    const session = recs.filter((r) => r.workspace.id === ws).pop()!.session;
    const got = await periodTotals(ledger, ws, now, session);
    const within = (kind: 'day' | 'week' | 'month') => {
      const { start, end } = periodRange(kind, now);
      return recs.filter((r) => r.workspace.id === ws && Date.parse(r.ts) >= start.getTime() && Date.parse(r.ts) < end.getTime());
    };
    const sessionRecs = recs.filter((r) => r.workspace.id === ws && r.session === session);
    for (const [p, rs] of [['day', within('day')], ['week', within('week')], ['month', within('month')], ['session', sessionRecs]] as const) {
      assert.ok(rs.length > 0, p);
      assert.equal(got[p].tokens, sum(rs, (r) => r.tokens.input + r.tokens.output), p);
      assertClose(got[p].wh, sum(rs, (r) => r.energy.wh), `${p}.wh`);
      assertClose(got[p].usd, sum(rs, (r) => r.cost.usd), `${p}.usd`);
    }
    const fresh = await periodTotals(ledger, ws, now, 'a-session-with-no-usage');
    assert.deepEqual(fresh.session, { tokens: 0, wh: 0, usd: 0, gco2e: 0, requests: 0 });
  });

  it('period totals from warm rollups decode only this week\'s and month\'s days, and leave every rollup whole', async () => {
    const ws = 'ws-beta';
    const session = recs.filter((r) => r.workspace.id === ws).pop()!.session;
    const cold = await periodTotals(ledger, ws, now, session); // builds and writes the rollups
    const bytes = (): string[] => rollupFiles().map((f) => fs.readFileSync(path.join(dir, 'rollups', f)).toString('base64'));
    const written = bytes();
    const warm = await periodTotals(ledger, ws, now, session); // each rollup covers its unchanged file: only the wanted days are built
    assert.deepEqual(warm, cold);
    assert.deepEqual(bytes(), written, 'nothing rewritten');
    const [part] = await new RollupStore(ledger, 'local').loadAll([file('2025-06')], (d) => d === '2025-06-18');
    assert.deepEqual([...new Set([...part.buckets.days()].map((d) => d.day))], ['2025-06-18'], 'only the day asked for');
    assert.equal(part.persisted, false);
    assert.ok([...part.buckets.sessions()].length > 0 && part.buckets.names.size > 0, 'sessions and names are there');
    const [bare] = await new RollupStore(ledger, 'local').loadAll([file('2025-06')], (d) => d === '2025-06-18', false);
    assert.equal([...bare.buckets.sessions()].length, 0, 'no sessions when not asked for');
    assert.deepEqual([...bare.buckets.names.keys()].sort(), [...part.buckets.names.keys()].sort(), 'names always');
    assert.deepEqual([...bare.buckets.days()], [...part.buckets.days()], 'the same days');
    const noSession = await periodTotals(ledger, ws, now, undefined);
    assert.deepEqual({ ...noSession, session: cold.session }, cold, 'the same day, week and month without sessions');
    // after an append the rollup is extended from the whole body, not from the days one caller wanted
    const extra = makeRecord({ ts: '2025-06-18T15:00:00.000Z', workspace: { id: ws, name: 'beta' }, session });
    ledger.append(extra);
    const after = await periodTotals(ledger, ws, now, session);
    assertClose(after.day.usd, cold.day.usd + extra.cost.usd, 'the appended record counts');
    assertClose(await buildReport(ledger, { kind: 'custom', now }), aggregate([...recs, extra], { kind: 'custom', now }), 'every day is still in the rollups');
  });

  it('keeps separate rollups per time zone and uses the right one when the zone changes', async () => {
    const q: ReportQuery = { kind: 'week', now };
    await buildReport(ledger, q);
    const saved = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata';
    try {
      assertClose(await buildReport(ledger, q), aggregate(recs, q), 'Kolkata');
      assert.ok(rollupFiles().some((f) => f.includes('Asia_Calcutta') || f.includes('Asia_Kolkata')));
    } finally {
      process.env.TZ = saved;
    }
    assertClose(await buildReport(ledger, q), aggregate(recs, q), 'New York again');
  });
});
