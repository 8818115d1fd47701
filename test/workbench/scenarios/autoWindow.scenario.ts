// What Copilot Chat builds for "Rightsize Auto" under each `rightsize.chat.autoWindow` choice, measured in
// the real workbench: the fake Ollama with the qwen2.5-coder 1.5b/7b/32b ladder (32k windows), a fake
// OpenAI serving gpt-5-mini (272k), a large file (big.js, ~50k tokens) open in the editor.
//   Ask mode attaches the active file: "Explain what big.js does".
//   Agent mode: the fake answers with a read_file call of the whole file, VS Code runs the tool, the next
//   request carries what Copilot kept of the result.
// For each choice (Auto advertises 204k input tokens under `largest`: gpt-5-mini's 272k less its output room;
// 24k under `local`: a 32k window less 8k of output room): the prompt tokens that reached the backend, how
// much of the file they carried, and which model served it. Asserted: under `largest` the Agent prompt
// carries most of the file and reaches a cloud model (no local window holds it); under `local` every prompt
// fits a local window (which model answers is then the router's capability call). The figures are logged
// (the README's table comes from this scenario).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import type { UsageRecord } from '../../../src/core/types';
import { machineSettings, pickChatModel, sendChatPrompt } from '../chatPicker';
import { ChatMode, chooseChatMode, enterApiKey, newChatSession, openFileInEditor, waitForChatAnswer } from '../chatModes';
import { generationRequests, QWEN_CODER_LADDER, ReceivedRequest, resetFake, scriptReplies } from '../fakeControl';
import { statusBarItem, WorkbenchScenario } from '../scenario';
import { setSettingInUi } from '../settingsUi';

const KEY = 'sk-test-autowindow-0123456789';
const FUNCTIONS = 2600;
const LOCAL_WINDOW = 32_768;

let ollamaUrl = '';
let openaiUrl = '';
let ledgerDir = '';
let workspaceDir = '';
let userSettingsFile = '';

/** ~50k tokens of distinct, ordinary JavaScript; each function's name carries its index. */
function bigFile(): string {
  const out: string[] = [];
  for (let i = 0; i < FUNCTIONS; i++) out.push(`function step${i}(input) {\n  const value = input * ${i % 97} + ${i};\n  return value > ${i} ? value - ${i} : value;\n}\n`);
  return out.join('\n');
}

function records(): UsageRecord[] {
  if (!fs.existsSync(ledgerDir)) return [];
  return fs.readdirSync(ledgerDir).filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(ledgerDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as UsageRecord));
}

/** How many of big.js's functions a request carried (by their names), of FUNCTIONS. */
function functionsCarried(r: ReceivedRequest): number {
  const text = JSON.stringify(r.body?.messages ?? r.body?.input ?? '');
  const seen = new Set(text.match(/function step\d+\(/g) ?? []);
  return seen.size;
}

interface Measured { choice: string; mode: string; /** The turn's largest prompt. */ tokens: number; model: string; location: string; functions: number }

async function measure(page: Page, choice: 'largest' | 'local', mode: ChatMode, log: (m: string) => void): Promise<Measured> {
  await resetFake(ollamaUrl);
  await resetFake(openaiUrl);
  await newChatSession(page);
  await chooseChatMode(page, mode);
  await openFileInEditor(page, 'big.js');
  const before = records().length;
  const answer = `${choice}/${mode}: big.js defines ${FUNCTIONS} numeric steps.`;
  if (mode === 'Agent') {
    // The turn opens on a local model (the request is ~17k tokens): it reads the whole file. Where the
    // continuation goes depends on what Copilot kept of the file, so both fakes answer it. Replies only for
    // requests that offer tools: the chat's own side requests (a title) take none of them.
    const call = { chunks: [], withTools: true, toolCalls: [{ name: 'read_file', arguments: { filePath: path.join(workspaceDir, 'big.js'), startLine: 1, endLine: FUNCTIONS * 5 } }] };
    const answers = Array.from({ length: 3 }, () => ({ text: answer, withTools: true }));
    await scriptReplies(ollamaUrl, [call, ...answers]);
    await scriptReplies(openaiUrl, answers);
  } else {
    for (const url of [ollamaUrl, openaiUrl]) await scriptReplies(url, [{ text: answer, withTools: true }]);
  }
  await sendChatPrompt(page, mode === 'Agent' ? 'Read big.js and explain what it does' : 'Explain what big.js does');
  const seen = async (): Promise<ReceivedRequest[]> => [...await generationRequests(ollamaUrl), ...await generationRequests(openaiUrl)].sort((a, b) => a.at - b.at);
  try {
    await waitForChatAnswer(page, `${choice}/${mode}: big.js defines`, 180_000);
  } catch (e) {
    const described = (await seen()).map((r) => {
      const msgs = (r.body?.messages ?? []) as Array<{ role: string }>;
      return `${r.path} ${r.body?.model} tools=${(r.body?.tools ?? []).length} last=${msgs.at(-1)?.role} reported=${JSON.stringify(r.reported)}`;
    });
    log(`requests so far:\n${described.join('\n')}\nrecords: ${records().slice(before).map((r) => `${r.model.id}: ${r.decision.reason}`).join(' | ')}`);
    throw e;
  }
  const sent = await seen();
  const mine = records().slice(before);
  const last = sent[sent.length - 1];
  const rec = mine[mine.length - 1];
  const m: Measured = { choice, mode, tokens: Math.max(...mine.map((r) => r.tokens.input)), model: rec.model.id, location: rec.model.location, functions: functionsCarried(last) };
  log(`${choice} / ${mode}: the largest prompt of the turn had ${m.tokens} tokens; the one that answered (${m.functions} of ${FUNCTIONS} functions of big.js) and went to ${m.model} (${m.location}); ${sent.length} request(s), ${mine.reduce((n, r) => n + r.tokens.input, 0)} input tokens in all; reason: ${rec.decision.reason}`);
  return m;
}

export const scenario: WorkbenchScenario = {
  name: 'auto-window',
  description: 'What Copilot builds for Rightsize Auto under rightsize.chat.autoWindow largest vs local (a 50k-token file in Ask and Agent mode)',
  timeoutMs: 900_000,
  async setup(ctx) {
    const modelsFile = path.join(ctx.tempDir, 'ollama-models.json');
    fs.writeFileSync(modelsFile, JSON.stringify(QWEN_CODER_LADDER));
    const fakes = await ctx.startFakes(['--only', 'ollama,openai', '--ollama-models-json', modelsFile, '--openai-key', KEY]);
    ollamaUrl = String(fakes.ollama);
    openaiUrl = String(fakes.openai);
    machineSettings(ctx, {
      'chat.allowAnonymousAccess': true,
      'rightsize.ollama.host': ollamaUrl,
      'rightsize.ollama.memoryGiB': 64,
      'rightsize.openai.baseUrl': `${openaiUrl}/v1`,
      'rightsize.cloudModels': ['gpt-5-mini'],
      'rightsize.useCopilotModels': false,
      'rightsize.mode': 'auto',
    });
    ledgerDir = ctx.env.RIGHTSIZE_LEDGER_DIR;
    workspaceDir = ctx.workspaceDir;
    userSettingsFile = path.join(ctx.userDataDir, 'User', 'settings.json');
    fs.writeFileSync(path.join(ctx.workspaceDir, 'big.js'), bigFile());
  },
  async run({ page, log }) {
    await statusBarItem(page, 'Rightsize', 90_000);
    await enterApiKey(page, 'OpenAI', KEY);
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    const results: Measured[] = [];
    // Agent under both choices, then Ask under both (the mode changes once). `largest` is the default.
    results.push(await measure(page, 'largest', 'Agent', log));
    await setSettingInUi(page, userSettingsFile, 'rightsize.chat.autoWindow', 'local');
    await page.waitForTimeout(1500); // the model list is re-announced
    results.push(await measure(page, 'local', 'Agent', log));
    results.push(await measure(page, 'local', 'Ask', log));
    await setSettingInUi(page, userSettingsFile, 'rightsize.chat.autoWindow', 'largest', true);
    await page.waitForTimeout(1500);
    results.push(await measure(page, 'largest', 'Ask', log));
    log(`| choice | mode | prompt tokens | of big.js | served by |\n${results.map((r) => `| ${r.choice} | ${r.mode} | ${r.tokens} | ${r.functions}/${FUNCTIONS} functions | ${r.model} (${r.location}) |`).join('\n')}`);
    const agent = (c: string) => results.find((r) => r.choice === c && r.mode === 'Agent')!;
    // `largest`: Copilot kept most of the file; the prompt outgrew every local window and went to the cloud.
    assert.ok(agent('largest').tokens > LOCAL_WINDOW, `largest/Agent: ${agent('largest').tokens} tokens`);
    assert.equal(agent('largest').location, 'cloud');
    // `local`: Copilot trimmed the prompt to what a local window takes (the router then picks by capability).
    for (const r of results.filter((x) => x.choice === 'local')) {
      assert.ok(r.tokens <= LOCAL_WINDOW * 0.9, `local/${r.mode}: the prompt (${r.tokens} tokens) fits a local window`);
    }
    assert.ok(agent('largest').functions > 4 * agent('local').functions, 'under `largest` Copilot kept far more of the file');
  },
};
