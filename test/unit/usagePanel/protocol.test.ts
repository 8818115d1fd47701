import * as assert from 'node:assert/strict';
import { parseExtensionMessage, parseFilter, parsePersistedState, parseWebviewMessage } from '../../../src/vscode/usagePanel/protocol';
import { sampleState } from './fixtures';

describe('usage panel protocol: messages from the webview', () => {
  const good: unknown[] = [
    { type: 'ready' },
    { type: 'ready', filter: { range: 'lastWeek', workspace: 'all' } },
    { type: 'setFilter', filter: { range: 'last30Days', workspace: 'this' } },
    { type: 'export', format: 'csv' },
    { type: 'export', format: 'json' },
    { type: 'openSettings' },
    { type: 'setBudget' },
  ];
  for (const m of good) {
    it(`accepts ${JSON.stringify(m)}`, () => {
      const r = parseWebviewMessage(m);
      assert.equal(r.ok, true, r.ok ? '' : r.reason);
      if (r.ok) assert.deepEqual(r.value, m);
    });
  }

  const bad: Array<[string, unknown]> = [
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['no type', { filter: { range: 'week', workspace: 'this' } }],
    ['a numeric type', { type: 1 }],
    ['an unknown type', { type: 'runCommand', command: 'workbench.action.terminal.new' }],
    ['extra field on openSettings', { type: 'openSettings', query: 'rightsize.apiKey' }],
    ['extra field on setBudget', { type: 'setBudget', args: ['x'] }],
    ['export with an unknown format', { type: 'export', format: 'xml' }],
    ['export without a format', { type: 'export' }],
    ['export with a path', { type: 'export', format: 'csv', path: '/etc/passwd' }],
    ['setFilter without a filter', { type: 'setFilter' }],
    ['setFilter with a bad range', { type: 'setFilter', filter: { range: 'year', workspace: 'this' } }],
    ['setFilter with a bad workspace', { type: 'setFilter', filter: { range: 'week', workspace: '../other' } }],
    ['setFilter with an extra filter field', { type: 'setFilter', filter: { range: 'week', workspace: 'this', since: 0 } }],
    ['ready with a filter that is not an object', { type: 'ready', filter: 'week' }],
    ['an own __proto__ key (JSON)', JSON.parse('{"type":"setBudget","__proto__":{"polluted":true}}')],
    ['an object without prototype', Object.assign(Object.create(null), { type: 'setBudget' })],
  ];
  for (const [name, m] of bad) {
    it(`rejects ${name}`, () => {
      const r = parseWebviewMessage(m);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.reason.length > 0 && r.reason.length < 120, r.reason);
    });
  }

  it('reasons name fields but do not echo long values', () => {
    const r = parseWebviewMessage({ type: 'x'.repeat(5000) });
    assert.equal(r.ok, false);
    if (!r.ok) assert.ok(r.reason.length < 100);
  });

  it('parseFilter returns a fresh object with only the two fields', () => {
    const input = { range: 'week', workspace: 'all' };
    const r = parseFilter(input);
    assert.ok(r.ok);
    if (r.ok) { assert.deepEqual(r.value, input); assert.notEqual(r.value, input); }
  });
});

describe('usage panel protocol: persisted state and messages to the webview', () => {
  it('restores a valid persisted filter and stacking', () => {
    assert.deepEqual(parsePersistedState({ filter: { range: 'lastWeek', workspace: 'all' }, stackBy: 'location' }),
      { filter: { range: 'lastWeek', workspace: 'all' }, stackBy: 'location' });
  });
  it('drops an invalid persisted state', () => {
    assert.equal(parsePersistedState(undefined), undefined);
    assert.equal(parsePersistedState({ filter: { range: 'forever', workspace: 'this' } }), undefined);
    assert.deepEqual(parsePersistedState({ filter: { range: 'week', workspace: 'this' }, stackBy: 'colour' }), { filter: { range: 'week', workspace: 'this' } });
  });
  it('accepts a real state message and an error message', () => {
    assert.equal(parseExtensionMessage({ type: 'state', state: sampleState() }).ok, true);
    assert.equal(parseExtensionMessage({ type: 'error', message: 'ledger unreadable' }).ok, true);
  });
  it('rejects malformed messages to the webview', () => {
    const s = sampleState();
    assert.equal(parseExtensionMessage({ type: 'state' }).ok, false);
    assert.equal(parseExtensionMessage({ type: 'state', state: { ...s, report: { ...s.report, days: null } } }).ok, false);
    assert.equal(parseExtensionMessage({ type: 'state', state: { ...s, filter: { range: 'x', workspace: 'this' } } }).ok, false);
    assert.equal(parseExtensionMessage({ type: 'state', state: { ...s, session: { requests: '3' } } }).ok, false);
    assert.equal(parseExtensionMessage({ type: 'error', message: 42 }).ok, false);
    assert.equal(parseExtensionMessage({ type: 'html', html: '<img onerror=alert(1)>' }).ok, false);
  });
});
