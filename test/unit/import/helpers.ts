// Shared helpers of the import tests: fixtures, a temporary ledger, the records it holds.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Catalog } from '../../../src/core/catalog/catalog';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import type { ImportRecordContext } from '../../../src/core/import/importRecord';
import { Ledger } from '../../../src/core/ledger';
import type { UsageRecord } from '../../../src/core/types';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');

export function fixture(...parts: string[]): string {
  return path.join(REPO_ROOT, 'test', 'fixtures', ...parts);
}

export function fixtureLines(...parts: string[]): string[] {
  return fs.readFileSync(fixture(...parts), 'utf8').split('\n').filter(Boolean);
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rs-${name}-`));
}

export function context(): ImportRecordContext {
  return { catalog: Catalog.builtIn(), settings: defaultEstimateSettings(), fallbackWorkspace: { id: 'fallback', name: 'Fallback' } };
}

export async function ledgerRecords(ledger: Ledger): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for await (const r of ledger.records()) out.push(r);
  return out;
}

/** Input excluding cache reads and writes, as Anthropic and ccusage count it. */
export function freshInput(r: UsageRecord): number {
  return r.tokens.input - r.tokens.cachedInput - (r.tokens.cacheWrite ?? 0);
}
