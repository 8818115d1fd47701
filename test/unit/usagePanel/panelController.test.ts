import * as assert from 'node:assert/strict';
import type { UsageReport } from '../../../src/core/types';
import { exportReport } from '../../../src/vscode/usagePanel/exportReport';
import { PanelController, type PanelDataSource, type PanelHost } from '../../../src/vscode/usagePanel/panelController';
import type { ExportFormat, ExtensionMessage, PanelFilter, PanelState } from '../../../src/vscode/usagePanel/protocol';
import { csvObjects, pickTotals, sampleReport, sampleState, totals, totalsFromCsv } from './fixtures';

class FakeHost implements PanelHost {
  posted: ExtensionMessage[] = [];
  saved: Array<{ name: string; format: ExportFormat; content: string }> = [];
  commands: unknown[][] = [];
  logs: string[] = [];
  errors: string[] = [];
  visible = true;
  postMessage(msg: ExtensionMessage) { this.posted.push(JSON.parse(JSON.stringify(msg))); return Promise.resolve(true); }
  isVisible() { return this.visible; }
  saveExport(name: string, format: ExportFormat, content: string) { this.saved.push({ name, format, content }); return Promise.resolve(true); }
  executeCommand(command: string, ...args: unknown[]) { this.commands.push([command, ...args]); return Promise.resolve(undefined); }
  log(m: string) { this.logs.push(m); }
  showError(m: string) { this.errors.push(m); }
  lastState(): PanelState {
    const s = [...this.posted].reverse().find((m) => m.type === 'state');
    assert.ok(s && s.type === 'state', 'a state was posted');
    return s.state;
  }
}

/** A data source whose report changes with every call (as the ledger grows), with controllable delays. */
class FakeData implements PanelDataSource {
  calls: PanelFilter[] = [];
  delays: number[] = [];
  fail: Error | undefined;
  private listeners: Array<() => void> = [];
  async getState(filter: PanelFilter): Promise<PanelState> {
    this.calls.push(filter);
    const n = this.calls.length;
    const delay = this.delays.shift() ?? 0;
    if (delay) await new Promise((r) => setTimeout(r, delay));
    if (this.fail) throw this.fail;
    const report: UsageReport = { ...sampleReport(), totals: totals(10 + n) };
    return { ...sampleState(report), filter, updatedAt: new Date(0).toISOString() };
  }
  onDidChange(l: () => void) { this.listeners.push(l); return { dispose: () => { this.listeners = this.listeners.filter((x) => x !== l); } }; }
  fire() { for (const l of this.listeners) l(); }
  exportReport(report: UsageReport, format: 'csv' | 'json') { return exportReport(report, format); }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('usage panel controller', () => {
  it('ready posts the state for the filter the webview restored', async () => {
    const host = new FakeHost();
    const data = new FakeData();
    const c = new PanelController(host, data, { range: 'week', workspace: 'this' });
    await c.handleMessage({ type: 'ready', filter: { range: 'last30Days', workspace: 'all' } });
    assert.deepEqual(data.calls, [{ range: 'last30Days', workspace: 'all' }]);
    assert.deepEqual(host.lastState().filter, { range: 'last30Days', workspace: 'all' });
  });

  it('exports exactly the report the panel shows: CSV total row and JSON totals equal the posted totals', async () => {
    const host = new FakeHost();
    const data = new FakeData();
    const c = new PanelController(host, data, { range: 'week', workspace: 'this' });
    await c.handleMessage({ type: 'ready' });
    await c.refresh(); // the ledger grew: the panel now shows the second report
    const shown = host.lastState();
    assert.equal(shown.report.totals.requests, totals(12).requests);
    await c.handleMessage({ type: 'export', format: 'csv' });
    await c.handleMessage({ type: 'export', format: 'json' });
    assert.equal(data.calls.length, 2, 'export reads no new data');
    const [csv, json] = host.saved;
    const total = csvObjects(csv.content).find((r) => r.kind === 'total');
    assert.ok(total);
    assert.deepEqual(totalsFromCsv(total), pickTotals(shown.report.totals));
    assert.deepEqual(JSON.parse(json.content), shown.report);
    assert.equal(csv.name, 'rightsize-usage-2025-11-17-to-2025-11-24.csv');
  });

  it('export with nothing shown yet tells the user instead of writing a file', async () => {
    const host = new FakeHost();
    const c = new PanelController(host, new FakeData(), { range: 'week', workspace: 'this' });
    await c.handleMessage({ type: 'export', format: 'csv' });
    assert.equal(host.saved.length, 0);
    assert.equal(host.errors.length, 1);
  });

  it('only the newest of overlapping fetches is posted', async () => {
    const host = new FakeHost();
    const data = new FakeData();
    data.delays = [60, 0];
    const c = new PanelController(host, data, { range: 'week', workspace: 'this' });
    const first = c.handleMessage({ type: 'setFilter', filter: { range: 'lastWeek', workspace: 'this' } });
    const second = c.handleMessage({ type: 'setFilter', filter: { range: 'last30Days', workspace: 'all' } });
    await Promise.all([first, second]);
    assert.equal(host.posted.length, 1);
    assert.deepEqual(host.lastState().filter, { range: 'last30Days', workspace: 'all' });
  });

  it('a failing data source posts an error and keeps the shown state for export', async () => {
    const host = new FakeHost();
    const data = new FakeData();
    const c = new PanelController(host, data, { range: 'week', workspace: 'this' });
    await c.handleMessage({ type: 'ready' });
    const shown = host.lastState();
    data.fail = new Error('ledger is locked');
    await c.refresh();
    assert.deepEqual(host.posted.at(-1), { type: 'error', message: 'ledger is locked' });
    await c.handleMessage({ type: 'export', format: 'json' });
    assert.deepEqual(JSON.parse(host.saved[0].content), shown.report);
  });

  it('invalid messages are logged and ignored', async () => {
    const host = new FakeHost();
    const data = new FakeData();
    const c = new PanelController(host, data, { range: 'week', workspace: 'this' });
    await c.handleMessage({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    await c.handleMessage({ type: 'export', format: 'exe' });
    await c.handleMessage('ready');
    assert.equal(host.logs.length, 3);
    assert.equal(host.posted.length + host.saved.length + host.commands.length + data.calls.length, 0);
  });

  it('settings and budget buttons run the two commands', async () => {
    const host = new FakeHost();
    const c = new PanelController(host, new FakeData(), { range: 'week', workspace: 'this' });
    await c.handleMessage({ type: 'openSettings' });
    await c.handleMessage({ type: 'setBudget' });
    assert.deepEqual(host.commands, [['workbench.action.openSettings', 'rightsize.budget'], ['rightsize.setBudget']]);
  });

  it('debounces live updates into one fetch, and defers them while hidden', async () => {
    const host = new FakeHost();
    const data = new FakeData();
    const c = new PanelController(host, data, { range: 'week', workspace: 'this' }, 40);
    data.onDidChange(() => c.scheduleRefresh());
    for (let i = 0; i < 10; i++) { data.fire(); await sleep(2); }
    assert.equal(data.calls.length, 0);
    await sleep(80);
    assert.equal(data.calls.length, 1);
    host.visible = false;
    data.fire();
    await sleep(80);
    assert.equal(data.calls.length, 1);
    host.visible = true;
    c.onVisible();
    await sleep(80);
    assert.equal(data.calls.length, 2);
    c.dispose();
    data.fire();
    await sleep(80);
    assert.equal(data.calls.length, 2);
  });
});
