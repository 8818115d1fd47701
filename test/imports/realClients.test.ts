// Imports of logs written by the REAL assistants: Claude Code (`claude -p`) against the fake Anthropic
// server and Codex CLI (`codex exec`, Responses API) against the fake OpenAI server, both pinned and
// installed outside the repository by scripts/assistants-setup.js. Claude Code's imported totals must
// equal ccusage 18's `daily --json --offline` on the same logs (tokens exactly, cost within 1%).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultEstimateSettings } from '../../src/core/estimate';
import { runImport } from '../../src/core/import';
import { Ledger } from '../../src/core/ledger';
import type { UsageRecord } from '../../src/core/types';
import { FakeAnthropic, startFakeAnthropic } from '../fakes/fakeAnthropic';
import { FakeOpenAI, startFakeOpenAI } from '../fakes/fakeOpenAI';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const setup = require('../../../scripts/assistants-setup.js') as { install(): { claudeBin: string; codexBin: string; ccusageBin: string } };

interface CcusageTotals { inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; totalCost: number }

/** Runs a client to completion (asynchronously: the fake servers live in this process). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${code}: ${err}\n${out}`));
    });
  });
}

async function records(ledger: Ledger): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for await (const r of ledger.records()) out.push(r);
  return out;
}

function totals(rs: UsageRecord[]): CcusageTotals {
  const t = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalCost: 0 };
  for (const r of rs) {
    t.inputTokens += r.tokens.input - r.tokens.cachedInput - (r.tokens.cacheWrite ?? 0);
    t.outputTokens += r.tokens.output;
    t.cacheCreationTokens += r.tokens.cacheWrite ?? 0;
    t.cacheReadTokens += r.tokens.cachedInput;
    t.totalCost += r.cost.usd;
  }
  return t;
}

describe('imports of logs written by the real Claude Code and Codex CLI', function () {
  this.timeout(300_000);
  let bins: { claudeBin: string; codexBin: string; ccusageBin: string };
  let dir: string;
  let anthropic: FakeAnthropic;
  let openai: FakeOpenAI;

  before(async function () {
    bins = setup.install();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-real-import-'));
    anthropic = await startFakeAnthropic({ tokensPerSecond: 50_000 });
    openai = await startFakeOpenAI({ tokensPerSecond: 50_000 });
  });
  after(async function () {
    await anthropic?.close();
    await openai?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Claude Code: imported totals equal ccusage daily on the same logs, before and after more sessions', async function () {
    const home = path.join(dir, 'claude-home');
    const project = path.join(dir, 'project');
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'notes.txt'), 'rightsize imports claude code logs\n');
    const env = { PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), ANTHROPIC_BASE_URL: anthropic.url, ANTHROPIC_API_KEY: 'sk-ant-test-0000', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
    const claude = (prompt: string, ...extra: string[]): Promise<string> => run(bins.claudeBin, ['-p', '--model', 'claude-sonnet-4-5', '--allowedTools', 'Read', ...extra, '--', prompt], env, project);
    const ccusage = async (): Promise<CcusageTotals> => (JSON.parse(await run(process.execPath, [bins.ccusageBin, 'daily', '--json', '--offline'], env, dir)) as { totals: CcusageTotals }).totals;
    const ledger = new Ledger(path.join(dir, 'ledger'));
    const importNow = () => runImport({ source: 'claude-code', ledger, settings: defaultEstimateSettings(), env });

    // A tool call (Read) with prompt caching, then a plain answer.
    anthropic.script(
      { text: 'Reading the notes.', toolCalls: [{ name: 'Read', arguments: { file_path: path.join(project, 'notes.txt') } }], cachedTokens: 15_000, cacheCreationTokens: 3_000 },
      { text: 'The notes say Rightsize imports Claude Code logs.', cachedTokens: 18_000, cacheCreationTokens: 500 },
    );
    assert.match(await claude('read notes.txt and tell me what it says'), /Rightsize imports Claude Code logs/);
    anthropic.script({ text: 'Hello!', cachedTokens: 12_000 });
    await claude('say hello');
    const first = await importNow();
    assert.ok(first.records >= 3, `records: ${first.records}`);
    assert.ok(first.duplicates >= 1, 'the tool-call response is logged once per content block');
    const ours = totals(await records(ledger));
    const theirs = await ccusage();
    assert.deepEqual([ours.inputTokens, ours.outputTokens, ours.cacheCreationTokens, ours.cacheReadTokens],
      [theirs.inputTokens, theirs.outputTokens, theirs.cacheCreationTokens, theirs.cacheReadTokens], `Rightsize ${JSON.stringify(ours)} vs ccusage ${JSON.stringify(theirs)}`);
    assert.ok(theirs.totalCost > 0 && Math.abs(ours.totalCost - theirs.totalCost) <= 0.01 * theirs.totalCost, `cost ${ours.totalCost} vs ${theirs.totalCost}`);
    // What the fake reported is what was recorded (Anthropic's input excludes cache reads and writes).
    const reported = anthropic.requests.filter((r) => r.reported).map((r) => r.reported as { input_tokens: number });
    assert.equal(ours.inputTokens, reported.reduce((n, r) => n + r.input_tokens, 0));

    // Idempotent; then incremental: a resumed session appends to the logs.
    assert.equal((await importNow()).records, 0);
    anthropic.script({ text: 'Still here.', cachedTokens: 20_000 });
    await claude('are you still there?', '--continue');
    const more = await importNow();
    assert.equal(more.records, 1);
    const after = totals(await records(ledger));
    const ccAfter = await ccusage();
    assert.deepEqual([after.inputTokens, after.outputTokens, after.cacheReadTokens], [ccAfter.inputTokens, ccAfter.outputTokens, ccAfter.cacheReadTokens]);
    const rs = await records(ledger);
    assert.ok(rs.every((r) => r.surface === 'import' && r.import?.source === 'claude-code' && r.workspace.name === 'project'));
    process.stdout.write(`      ccusage ${JSON.stringify(ccAfter)}\n      Rightsize ${JSON.stringify(after)}\n`);
  });

  it('Codex CLI: one record per response with the usage the Responses API reported; re-import adds nothing', async function () {
    const codexHome = path.join(dir, 'codex-home');
    const project = path.join(dir, 'codex-project');
    fs.mkdirSync(codexHome, { recursive: true });
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, 'a.txt'), 'hello codex\n');
    fs.writeFileSync(path.join(codexHome, 'config.toml'), [
      'model = "gpt-5"', 'model_provider = "fake"', '[model_providers.fake]', 'name = "Fake OpenAI"',
      `base_url = "${openai.url}/v1"`, 'env_key = "FAKE_OPENAI_KEY"', 'wire_api = "responses"', 'request_max_retries = 0', 'stream_max_retries = 0', '',
    ].join('\n'));
    const env = { PATH: process.env.PATH, HOME: path.join(dir, 'codex-user'), CODEX_HOME: codexHome, FAKE_OPENAI_KEY: 'sk-test-openai-0000' };
    openai.reset();
    openai.script(
      { text: 'Reading it.', toolCalls: [{ name: 'exec_command', arguments: { cmd: 'cat a.txt' } }], cachedTokens: 4000, thinking: 'let me look' },
      { text: 'It says hello codex.', cachedTokens: 6000 },
    );
    assert.match(await run(process.execPath, [bins.codexBin, 'exec', '--skip-git-repo-check', 'read a.txt'], env, project), /hello codex/);
    const ledger = new Ledger(path.join(dir, 'codex-ledger'));
    const first = await runImport({ source: 'codex', ledger, settings: defaultEstimateSettings(), env });
    assert.equal(first.records, 2);
    const reported = openai.requests.filter((r) => r.path === '/v1/responses' && r.reported).map((r) => r.reported as {
      input_tokens: number; output_tokens: number; input_tokens_details: { cached_tokens: number }; output_tokens_details: { reasoning_tokens: number };
    });
    const rs = await records(ledger);
    assert.deepEqual(rs.map((r) => [r.tokens.input, r.tokens.cachedInput, r.tokens.output, r.tokens.reasoning]),
      reported.map((u) => [u.input_tokens, u.input_tokens_details.cached_tokens, u.output_tokens, u.output_tokens_details.reasoning_tokens]));
    assert.ok(rs.every((r) => r.model.id === 'gpt-5' && r.workspace.name === 'codex-project' && r.cost.usd > 0));
    assert.equal((await runImport({ source: 'codex', ledger, settings: defaultEstimateSettings(), env })).records, 0);
  });
});
