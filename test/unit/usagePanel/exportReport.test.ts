import * as assert from 'node:assert/strict';
import { CSV_COLUMNS, exportFileName, exportReport } from '../../../src/vscode/usagePanel/exportReport';
import { csvObjects, parseCsv, pickTotals, sampleReport, totalsFromCsv } from './fixtures';

describe('usage panel export', () => {
  it('JSON export is the report itself, exactly', () => {
    const report = sampleReport();
    const json = exportReport(report, 'json');
    assert.deepEqual(JSON.parse(json), report);
    assert.equal(JSON.parse(json).totals.wh, report.totals.wh); // 0.1 * 7 + 0.2, bit for bit
  });

  it('CSV total row equals the report totals exactly', () => {
    const report = sampleReport();
    const rows = csvObjects(exportReport(report, 'csv'));
    const total = rows.filter((r) => r.kind === 'total');
    assert.equal(total.length, 1);
    assert.deepEqual(totalsFromCsv(total[0]), pickTotals(report.totals));
    assert.equal(total[0].key, `${report.period.start}/${report.period.end}`);
  });

  it('CSV has one row per day and per model, equal to the report rows, in report order', () => {
    const report = sampleReport();
    const rows = csvObjects(exportReport(report, 'csv'));
    const days = rows.filter((r) => r.kind === 'day');
    assert.deepEqual(days.map((r) => r.key), report.days.map((d) => d.day));
    days.forEach((r, i) => assert.deepEqual(totalsFromCsv(r), pickTotals(report.days[i])));
    const models = rows.filter((r) => r.kind === 'model');
    assert.equal(models.length, report.models.length);
    models.forEach((r, i) => {
      assert.deepEqual(totalsFromCsv(r), pickTotals(report.models[i]));
      assert.equal(r.provider, report.models[i].provider);
      assert.equal(r.location, report.models[i].location);
    });
  });

  it('CSV quotes commas and quotes and neutralises formula-like text', () => {
    const report = sampleReport();
    const csv = exportReport(report, 'csv');
    const models = csvObjects(csv).filter((r) => r.kind === 'model');
    assert.equal(models[1].key, `'=evil,"model"`);
    assert.ok(csv.includes(`"'=evil,""model"""`));
  });

  it('CSV header, column count, CRLF and the missedSavings row', () => {
    const report = sampleReport();
    const csv = exportReport(report, 'csv');
    assert.ok(csv.endsWith('\r\n'));
    const table = parseCsv(csv);
    assert.deepEqual(table[0], [...CSV_COLUMNS]);
    for (const r of table) assert.equal(r.length, CSV_COLUMNS.length);
    const missed = csvObjects(csv).filter((r) => r.kind === 'missedSavings');
    assert.equal(missed.length, 1);
    assert.equal(Number(missed[0].requests), report.missedSavings.requests);
    assert.equal(Number(missed[0].wh), report.missedSavings.wh);
    assert.equal(Number(missed[0].usd), report.missedSavings.usd);
    assert.equal(missed[0].input_tokens, '');
  });

  it('an empty report exports a header, a zero total and a missedSavings row', () => {
    const report = { ...sampleReport(), days: [], models: [], top: [] };
    const rows = csvObjects(exportReport(report, 'csv'));
    assert.deepEqual(rows.map((r) => r.kind), ['total', 'missedSavings']);
  });

  it('suggests a file name from the period dates', () => {
    assert.equal(exportFileName(sampleReport(), 'csv'), 'rightsize-usage-2025-11-17-to-2025-11-24.csv');
    assert.equal(exportFileName(sampleReport(), 'json'), 'rightsize-usage-2025-11-17-to-2025-11-24.json');
  });
});
