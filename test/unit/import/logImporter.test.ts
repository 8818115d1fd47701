import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { estimate, defaultEstimateSettings } from '../../../src/core/estimate';
import { Catalog } from '../../../src/core/catalog/catalog';
import { claudeFormat, codexFormat } from '../../../src/core/import/formats';
import { importLogs, importStateDir, ImportSummary, LogFormat } from '../../../src/core/import/logImporter';
import { ImportState } from '../../../src/core/import/importState';
import { workspaceOfFolder } from '../../../src/core/import/workspaceRef';
import { Ledger } from '../../../src/core/ledger';
import { context, fixture, fixtureLines, freshInput, ledgerRecords, tempDir } from './helpers';

describe('import/logImporter: incremental, idempotent', function () {
  let dir: string;
  let logs: string;
  let ledger: Ledger;
  const run = (format: LogFormat<any> = claudeFormat, roots = [logs]): Promise<ImportSummary> =>
    importLogs(format, { roots, ledger, stateDir: importStateDir(ledger.dir), ctx: context(), batchRecords: 2 });

  beforeEach(function () {
    dir = tempDir('import');
    logs = path.join(dir, 'projects', '-tmp-cc1-proj');
    fs.mkdirSync(logs, { recursive: true });
    ledger = new Ledger(path.join(dir, 'ledger'));
  });
  afterEach(function () { fs.rmSync(dir, { recursive: true, force: true }); });

  it('imports a real log once, through the meter, into the project\'s workspace', async function () {
    fs.copyFileSync(fixture('claude-code', 'tool-use-cache.jsonl'), path.join(logs, 's1.jsonl'));
    const first = await run();
    assert.equal(first.records, 2);
    assert.equal(first.duplicates, 1, 'the second content block of the first response');
    const records = await ledgerRecords(ledger);
    assert.deepEqual(records.map(freshInput), [3451, 2997]);
    const r = records[0];
    assert.equal(r.surface, 'import');
    assert.deepEqual(r.import, { source: 'claude-code', key: r.import!.key });
    assert.deepEqual(r.workspace, workspaceOfFolder('/tmp/cc1/proj', { id: 'x', name: 'x' }));
    const expected = estimate(Catalog.builtIn().get('claude-sonnet-4-5')!, r.tokens, defaultEstimateSettings());
    assert.equal(r.cost.usd, expected.cost.usd);
    assert.equal(r.energy.wh, expected.energy.wh);
    assert.ok(r.cost.usd > 0);
    const again = await run();
    assert.equal(again.records, 0);
    assert.equal(again.changedFiles, 0, 'an unchanged file is not even opened');
    assert.equal((await ledgerRecords(ledger)).length, 2);
  });

  it('reads only what was appended, and an unterminated last line once it is complete', async function () {
    const lines = fixtureLines('claude-code', 'tool-use-cache.jsonl');
    const lastUsage = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('"usage"')).pop()![1];
    const file = path.join(logs, 's1.jsonl');
    fs.writeFileSync(file, lines.slice(0, lastUsage).join('\n') + '\n');
    assert.equal((await run()).records, 1);
    const half = lines[lastUsage].slice(0, 200);
    fs.appendFileSync(file, half);
    const partial = await run();
    assert.equal(partial.records, 0, 'a line still being written is left for later');
    fs.appendFileSync(file, lines[lastUsage].slice(200) + '\n' + lines.slice(lastUsage + 1).join('\n') + '\n');
    const rest = await run();
    assert.equal(rest.records, 1);
    assert.ok(rest.bytesRead < fs.statSync(file).size / 2, `read ${rest.bytesRead} of ${fs.statSync(file).size} bytes`);
    assert.equal((await ledgerRecords(ledger)).length, 2);
  });

  it('starts over when a file shrank or was replaced, without counting a call twice', async function () {
    const file = path.join(logs, 's1.jsonl');
    fs.copyFileSync(fixture('claude-code', 'tool-use-cache.jsonl'), file);
    await run();
    fs.writeFileSync(file, ''); // truncated (rotated)
    assert.equal((await run()).records, 0);
    fs.rmSync(file);
    fs.copyFileSync(fixture('claude-code', 'tool-use-cache.jsonl'), file); // a new file under the old name
    const replaced = await run();
    assert.equal(replaced.records, 0);
    assert.equal(replaced.duplicates, 3);
    // A resumed session copies earlier messages into a new file: still one record per call.
    fs.copyFileSync(fixture('claude-code', 'tool-use-cache.jsonl'), path.join(logs, 's2.jsonl'));
    assert.equal((await run()).records, 0);
    assert.equal((await ledgerRecords(ledger)).length, 2);
    assert.equal(Object.keys(ImportState.load(importStateDir(ledger.dir), 'claude-code').files).length, 2, 'cursors of both files');
  });

  it('one import per source at a time; a lock left by a dead process is taken over', async function () {
    fs.copyFileSync(fixture('claude-code', 'tool-use-cache.jsonl'), path.join(logs, 's1.jsonl'));
    const state = ImportState.load(importStateDir(ledger.dir), 'claude-code');
    const release = state.lock()!;
    assert.equal((await run()).busy, true);
    release();
    fs.writeFileSync(path.join(importStateDir(ledger.dir), 'claude-code.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, at: new Date().toISOString() }));
    const taken = await run();
    assert.equal(taken.busy, false);
    assert.equal(taken.records, 2);
  });

  it('Codex: each response once, re-import adds nothing', async function () {
    const day = path.join(dir, 'sessions', '2026', '12', '02');
    fs.mkdirSync(day, { recursive: true });
    fs.copyFileSync(fixture('codex', 'rollout-tool-call.jsonl'), path.join(day, 'rollout-a.jsonl'));
    const first = await run(codexFormat, [path.join(dir, 'sessions')]);
    assert.equal(first.records, 2);
    const records = await ledgerRecords(ledger);
    assert.deepEqual(records.map((r) => [r.model.id, r.model.provider, r.tokens.input, r.tokens.cachedInput, r.tokens.output, r.tokens.reasoning]),
      [['gpt-5', 'openai', 9533, 4000, 24, 6], ['gpt-5', 'openai', 9589, 6000, 5, 0]]);
    assert.equal((await run(codexFormat, [path.join(dir, 'sessions')])).records, 0);
  });

  it('a model missing from the catalog is priced as its family and says so', async function () {
    const line = { timestamp: '2026-12-02T07:47:36.747Z', requestId: 'r1', cwd: '/w', message: { id: 'm1', model: 'claude-opus-9-9', usage: { input_tokens: 1000, output_tokens: 100 } } };
    fs.writeFileSync(path.join(logs, 's.jsonl'), JSON.stringify(line) + '\n');
    const s = await run();
    assert.deepEqual(s.standIns, { 'claude-opus-9-9': 'claude-opus-4-5' });
    const [r] = await ledgerRecords(ledger);
    assert.equal(r.model.id, 'claude-opus-9-9');
    assert.match(r.decision.reason, /priced as claude-opus-4-5/);
    assert.equal(r.cost.usd, estimate(Catalog.builtIn().get('claude-opus-4-5')!, r.tokens, defaultEstimateSettings()).cost.usd);
  });
});
