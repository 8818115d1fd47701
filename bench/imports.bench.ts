// Imports: Claude Code logs of RIGHTSIZE_BENCH_IMPORT_MB (default 1024) megabytes, generated from the
// shape of a real Claude Code 2.1.332 session (test/fixtures/claude-code/tool-use-cache.jsonl: its
// header lines once per session file, its turns — user prompt, api-request, the assistant's content
// blocks, tool results — repeated with fresh message and request ids), imported into a fresh ledger,
// against `ccusage daily --json --offline` (ccusage 18, scripts/assistants-setup.js) on the same files
// in the same run; then the re-import of the unchanged tree. Also checks both agree on the tokens.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { defaultEstimateSettings } from '../src/core/estimate';
import { runImport } from '../src/core/import';
import { Ledger } from '../src/core/ledger';
import type { BenchSuite, Figure } from './harness';

const FILE_BYTES = 8 * 1024 * 1024;
const ROOT = path.resolve(__dirname, '..', '..');

/** Writes `totalBytes` of session files under `<dir>/.claude/projects/<project>/`; returns the file count. */
function generate(dir: string, totalBytes: number): number {
  const lines = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'claude-code', 'tool-use-cache.jsonl'), 'utf8').split('\n').filter(Boolean);
  const isTurn = (l: string) => /^\{"parentUuid".*"type":"(user|assistant)"|^\{"type":"api-request"/.test(l) || l.includes('"type":"user"') || l.includes('"type":"assistant"');
  const header = lines.filter((l) => !isTurn(l)).join('\n') + '\n';
  const turnLines = lines.filter(isTurn);
  const ids = [...new Set(turnLines.join('\n').match(/msg_[a-z0-9]{10,}/g) ?? [])];
  let written = 0;
  let files = 0;
  let turn = 0;
  while (written < totalBytes) {
    const project = path.join(dir, '.claude', 'projects', `-work-project-${files % 16}`);
    fs.mkdirSync(project, { recursive: true });
    const chunks: string[] = [header];
    let size = header.length;
    while (size < FILE_BYTES) {
      let text = turnLines.join('\n') + '\n';
      for (const [i, id] of ids.entries()) text = text.split(id).join(`msg_b${turn.toString(36)}x${i}`);
      turn++;
      chunks.push(text);
      size += text.length;
    }
    fs.writeFileSync(path.join(project, `session-${files}.jsonl`), chunks.join(''));
    written += size;
    files++;
  }
  return files;
}

export const suite: BenchSuite = {
  name: 'imports',
  async run(): Promise<Figure[]> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bins = (require(path.join(ROOT, 'scripts', 'assistants-setup.js')) as { install(): { ccusageBin: string } }).install();
    const mb = Number(process.env.RIGHTSIZE_BENCH_IMPORT_MB) || 1024;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bench-import-'));
    try {
      const files = generate(dir, mb * 1024 * 1024);
      const env = { ...process.env, HOME: dir, CLAUDE_CONFIG_DIR: path.join(dir, '.claude') };
      const t0 = performance.now();
      const cc = spawnSync(process.execPath, ['--max-old-space-size=8192', bins.ccusageBin, 'daily', '--json', '--offline'], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const ccusageMs = performance.now() - t0;
      if (cc.status !== 0) throw new Error(`ccusage failed: ${cc.stderr}`);
      const ccTotals = (JSON.parse(cc.stdout) as { totals: { inputTokens: number; outputTokens: number } }).totals;
      const ledger = new Ledger(path.join(dir, 'ledger'));
      const t1 = performance.now();
      const first = await runImport({ source: 'claude-code', ledger, settings: defaultEstimateSettings(), env });
      const importMs = performance.now() - t1;
      const t2 = performance.now();
      const again = await runImport({ source: 'claude-code', ledger, settings: defaultEstimateSettings(), env });
      const reimportMs = performance.now() - t2;
      let input = 0;
      let output = 0;
      for await (const r of ledger.records()) { input += r.tokens.input - r.tokens.cachedInput - (r.tokens.cacheWrite ?? 0); output += r.tokens.output; }
      const agree = input === ccTotals.inputTokens && output === ccTotals.outputTokens && again.records === 0;
      const note = `${mb} MB in ${files} files, ${first.records} records (${first.duplicates} duplicate lines); tokens ${agree ? 'equal ccusage\'s' : `DIFFER: ${input}/${output} vs ${ccTotals.inputTokens}/${ccTotals.outputTokens}`}`;
      return [
        { name: 'imports.claude.importMs', value: importMs, unit: 'ms', baseline: { name: 'ccusage daily --offline', value: ccusageMs }, note },
        { name: 'imports.claude.ratioToCcusage', value: importMs / ccusageMs, unit: 'x', target: { op: '<=', value: 1 }, note: 'Rightsize import time / ccusage time, same files, same run' },
        { name: 'imports.claude.ccusageMs', value: ccusageMs, unit: 'ms' },
        { name: 'imports.claude.reimportUnchangedMs', value: reimportMs, unit: 'ms', target: { op: '<=', value: 100 }, note: `${again.files} files stat'ed, none read` },
        { name: 'imports.claude.tokensAgree', value: agree ? 1 : 0, unit: 'bool', target: { op: '>=', value: 1 } },
      ];
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
