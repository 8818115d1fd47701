// Token counts kept across sessions (countStore.ts): a new session's counter loaded from the file an earlier
// session saved counts the captured Agent-mode prompts exactly as a fresh counter does, encoding less, and the
// file holds no text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COUNT_STORE_FILE_NAME, CountPersistence, readCountStore, TokenCounter, writeCountStore } from '../../../src/core/tokens';
import type { ChatRequest } from '../../../src/core/types';
import { providerRequests } from '../../util/envelopes';

describe('tokens/countStore: counts kept across sessions', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  const count = (c: TokenCounter, r: ChatRequest): number => c.countMessages(r.messages, r.tools);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-counts-'));
    file = path.join(dir, 'globalStorage', COUNT_STORE_FILE_NAME);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a new session loaded from the last one counts another conversation exactly, encoding less; the file holds no text', () => {
    const earlier = providerRequests('vscode-agent-design.json');
    const now = providerRequests('vscode-agent-rename-toolloop.json');
    const first = new TokenCounter();
    const firstStore = new CountPersistence(first, file);
    assert.equal(firstStore.load(), 0, 'no file yet');
    for (const r of earlier) count(first, r);
    assert.equal(firstStore.save(), true);
    assert.equal(firstStore.save(), false, 'nothing new to write');
    first.dispose();

    const body = fs.readFileSync(file, 'utf8');
    const system = earlier[0].messages.find((m) => m.role === 'system')!.content as string;
    for (let i = 0; i + 24 <= system.length; i += 400) assert.ok(!body.includes(system.slice(i, i + 24)), 'no prompt text in the file');
    assert.ok(!body.includes(earlier[0].tools![0].description.slice(0, 24)), 'no tool text in the file');

    const fresh = new TokenCounter();
    const next = new TokenCounter();
    const nextStore = new CountPersistence(next, file);
    try {
      assert.ok(nextStore.load() > 20);
      const want = now.map((r) => count(fresh, r));
      assert.deepEqual(now.map((r) => count(next, r)), want, 'the same counts as a counter that starts empty');
      const a = fresh.stats();
      const b = next.stats();
      assert.ok(b.encodedChars < a.encodedChars / 2, `encoded ${b.encodedChars} characters after loading vs ${a.encodedChars} without`);
    } finally {
      fresh.dispose();
      next.dispose();
    }
  });

  it('ignores a file written under other counting rules, or not JSON, or with malformed entries', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ rules: 'rightsize-token-counts-0', entries: [['o200k_base:x', 5, 10]] }));
    assert.deepEqual(readCountStore(file), []);
    const warnings: string[] = [];
    fs.writeFileSync(file, '{"rules": "rightsize');
    assert.deepEqual(readCountStore(file, (m) => warnings.push(m)), []);
    assert.match(warnings[0], /not valid JSON/);
    writeCountStore(file, [['o200k_base:a', 3, 12], ['o200k_base:b', 4, 16]]);
    const good = JSON.parse(fs.readFileSync(file, 'utf8'));
    good.entries.push(['o200k_base:c', -1, 3], ['o200k_base:d', 1.5, 3], [7, 1, 1], ['o200k_base:e', 2]);
    fs.writeFileSync(file, JSON.stringify(good));
    assert.deepEqual(readCountStore(file), [['o200k_base:a', 3, 12], ['o200k_base:b', 4, 16]]);
  });

  it('loaded counts are older than the session\'s own: the cache bound evicts them first', () => {
    const c = new TokenCounter({ cacheMaxEntries: 3 });
    try {
      c.countText('a text of the session itself, long enough for the cache');
      assert.equal(c.importCounts([['o200k_base:old1', 1, 20], ['o200k_base:old2', 2, 20], ['o200k_base:old3', 3, 20]]), 3);
      const keys = c.exportCounts().map((e) => e[0]);
      assert.equal(keys.length, 3);
      assert.deepEqual(keys.slice(0, 2), ['o200k_base:old2', 'o200k_base:old3'], 'old1 evicted, the session\'s entry kept as the newest');
    } finally {
      c.dispose();
    }
  });
});
