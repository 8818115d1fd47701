// A poison number in another tool's log (Claude Code usage with input_tokens -4900, output 1e308) neither
// reaches the ledger (a report would show -4.9k tokens and $1e+308) nor stops the import: that record is
// quarantined with its reason, the others are imported, and the next run does not see it again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeFormat } from '../../../src/core/import/formats';
import { importLogs, importStateDir } from '../../../src/core/import/logImporter';
import { Ledger, QUARANTINE_FILE } from '../../../src/core/ledger';
import { context, fixtureLines, ledgerRecords, tempDir } from '../import/helpers';

describe('ledger: imports quarantine poison records', () => {
  for (const [field, value] of [['input_tokens', -4900], ['output_tokens', 1e308]] as const) {
    it(`${field} ${value}: quarantined, the rest imported, not retried`, async () => {
      const dir = tempDir('import-poison');
      try {
        const logs = path.join(dir, 'projects', '-tmp-cc1-proj');
        fs.mkdirSync(logs, { recursive: true });
        const lines = fixtureLines('claude-code', 'tool-use-cache.jsonl');
        const i = lines.findIndex((l) => l.includes('"usage"'));
        const poisoned = JSON.parse(lines[i]);
        poisoned.message.usage[field] = value;
        lines[i] = JSON.stringify(poisoned);
        fs.writeFileSync(path.join(logs, 's1.jsonl'), lines.join('\n') + '\n');
        const ledger = new Ledger(path.join(dir, 'ledger'));
        const run = () => importLogs(claudeFormat, { roots: [logs], ledger, stateDir: importStateDir(ledger.dir), ctx: context(), batchRecords: 2 });
        const first = await run();
        const records = await ledgerRecords(ledger);
        assert.equal(records.length, 1, 'the healthy response is imported');
        for (const r of records) assert.ok(r.tokens.input >= 0 && r.cost.usd < 1e6);
        const q = fs.readFileSync(path.join(ledger.dir, QUARANTINE_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(q.length, 1);
        assert.match(q[0].reason, /tokens\.|cost\.usd|energy/);
        assert.equal(first.records, 1);
        const again = await run();
        assert.equal(again.records, 0);
        assert.equal(fs.readFileSync(path.join(ledger.dir, QUARANTINE_FILE), 'utf8').trim().split('\n').length, 1, 'not quarantined twice');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
