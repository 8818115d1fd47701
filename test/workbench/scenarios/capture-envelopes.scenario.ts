// Captures real VS Code chat envelopes as test fixtures (manual: `npm run capture:envelopes`, or
// `node out/test/workbench/run.js --only capture-envelopes`). The real workbench, "Rightsize Auto" in the
// chat's model picker, the fake Ollama behind it; for each case the fake's recorded /api/chat bodies (what
// reached the backend) and the ChatRequests the provider received (saved by the extension when
// RIGHTSIZE_CAPTURE_DIR is set, src/vscode/requestCapture.ts) are written to test/fixtures/envelopes/.
// The temporary workspace path is replaced by WORKSPACE_PLACEHOLDER; nothing else is changed.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { pickChatModel, sendChatPrompt, useFakeOllama } from '../chatPicker';
import { chooseChatMode, ChatMode, newChatSession, openFileInEditor, sendInlineChatPrompt, waitForChatAnswer } from '../chatModes';
import { readFileLoop, ReceivedRequest, resetFake, scriptReplies, waitForGenerations, QWEN_CODER_LADDER } from '../fakeControl';
import { REPO_ROOT } from '../../host/server';
import { statusBarItem, WorkbenchScenario } from '../scenario';
import type { FakeReply } from '../../fakes/common';

export const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'envelopes');
export const WORKSPACE_PLACEHOLDER = '/home/user/workspace';
const APP_JS = 'const t = 1 + 2;\nconsole.log(t);\nmodule.exports = t;\n';
export const RENAME = 'Rename the variable t to total in app.js';
export const DESIGN = 'Design a multi-region rate limiter for our public API: 50k requests/s per region, global per-customer quotas, tolerate a region outage, and explain the consistency trade-offs.';
const FOLLOW_UP = 'Also add a comment above it that says what total holds';

interface Turn { prompt: string; replies: FakeReply[]; answer: string }
interface Case { file: string; mode: ChatMode | 'inline'; description: string; turns: Turn[]; editorOpen: boolean }

const answer = (text: string): FakeReply[] => [{ text }];
let ollamaUrl = '';
let workspaceDir = '';
let captureDir = '';
let tempDir = '';

function cases(ws: string): Case[] {
  const app = path.join(ws, 'app.js');
  return [
    {
      file: 'vscode-agent-rename-toolloop.json', mode: 'Agent', editorOpen: true,
      description: 'Agent mode, app.js open in the editor: a rename answered with a read_file call (VS Code runs the tool; request 2 carries its result), then a follow-up turn in the same conversation',
      turns: [
        { prompt: RENAME, replies: readFileLoop(app, 'Renamed t to total in app.js.', 3), answer: 'Renamed t to total' },
        { prompt: FOLLOW_UP, replies: answer('Added the comment above total.'), answer: 'Added the comment' },
      ],
    },
    {
      file: 'vscode-agent-design.json', mode: 'Agent', editorOpen: false,
      description: 'Agent mode, new chat, no editor open: a design question',
      turns: [{ prompt: DESIGN, replies: answer('Use a token bucket per region with asynchronous quota reconciliation.'), answer: 'token bucket' }],
    },
    {
      file: 'vscode-ask-rename.json', mode: 'Ask', editorOpen: true,
      description: 'Ask mode, new chat, app.js open: the same rename',
      turns: [{ prompt: RENAME, replies: answer('Replace every t with total in app.js.'), answer: 'Replace every t' }],
    },
    {
      file: 'vscode-plan-rename.json', mode: 'Plan', editorOpen: true,
      description: 'Plan mode, new chat, app.js open: the same rename',
      turns: [{ prompt: RENAME, replies: answer('Plan: rename t to total in app.js (3 places).'), answer: 'Plan: rename' }],
    },
    {
      file: 'vscode-inline-rename.json', mode: 'inline', editorOpen: true,
      description: 'Inline chat (Ctrl+I) in app.js with the cursor on line 1: the same rename',
      turns: [{ prompt: 'Rename the variable t to total', replies: answer('const total = 1 + 2;'), answer: '' }],
    },
  ];
}

/** The workspace path becomes WORKSPACE_PLACEHOLDER, the random temporary folder around it a fixed name. */
function scrub<T>(value: T): T {
  const json = JSON.stringify(value).split(workspaceDir).join(WORKSPACE_PLACEHOLDER).split(tempDir).join('/tmp/rightsize-wb-capture');
  return JSON.parse(json) as T;
}

/** The ChatRequests the extension saved since the last call, oldest first (and removes them). */
function takeProviderCaptures(): unknown[] {
  if (!fs.existsSync(captureDir)) return [];
  const files = fs.readdirSync(captureDir).filter((f) => f.endsWith('.json')).sort();
  const out = files.map((f) => JSON.parse(fs.readFileSync(path.join(captureDir, f), 'utf8')) as unknown);
  for (const f of files) fs.rmSync(path.join(captureDir, f));
  return out;
}

async function runTurn(page: Page, c: Case, turn: Turn, expected: number): Promise<ReceivedRequest[]> {
  await scriptReplies(ollamaUrl, turn.replies);
  if (c.mode === 'inline') await sendInlineChatPrompt(page, turn.prompt);
  else await sendChatPrompt(page, turn.prompt);
  const received = await waitForGenerations(ollamaUrl, expected, 90_000);
  if (turn.answer) await waitForChatAnswer(page, turn.answer, 60_000);
  return received;
}

async function capture(page: Page, c: Case, log: (m: string) => void): Promise<void> {
  await resetFake(ollamaUrl);
  takeProviderCaptures();
  if (c.mode !== 'inline') {
    await newChatSession(page);
    await chooseChatMode(page, c.mode);
  }
  if (c.editorOpen) await openFileInEditor(page, 'app.js');
  let expected = 0;
  let received: ReceivedRequest[] = [];
  for (const turn of c.turns) {
    expected += turn.replies.length;
    received = await runTurn(page, c, turn, expected);
  }
  await page.waitForTimeout(1000);
  const chats = received.filter((r) => r.path === '/api/chat' || r.path === '/api/generate');
  const provider = takeProviderCaptures();
  assert.equal(provider.length, chats.length, `${c.file}: the provider received ${provider.length} requests, the backend ${chats.length}`);
  const fixture = {
    description: c.description,
    capturedWith: { vscode: '1.139.1 (code-server 4.139.1)', copilotChat: copilotChatVersion(), by: 'test/workbench/scenarios/capture-envelopes.scenario.ts' },
    mode: c.mode,
    prompts: c.turns.map((t) => t.prompt),
    workspacePlaceholder: WORKSPACE_PLACEHOLDER,
    requests: chats.map((r, i) => ({ backend: { path: r.path, body: r.body }, provider: provider[i] })),
  };
  fs.mkdirSync(FIXTURE_DIR, { recursive: true });
  fs.writeFileSync(path.join(FIXTURE_DIR, c.file), JSON.stringify(scrub(fixture)) + '\n');
  log(`${c.file}: ${chats.length} request(s), models ${chats.map((r) => r.body?.model).join(', ')}`);
}

function copilotChatVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { hostPaths } = require(path.join(REPO_ROOT, 'scripts', 'vscode-host-setup.js')) as { hostPaths(): { codeServerDir: string } };
    const pkg = path.join(hostPaths().codeServerDir, 'lib', 'vscode', 'extensions', 'copilot', 'package.json');
    return String((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version);
  } catch {
    return 'unknown';
  }
}

export const scenario: WorkbenchScenario = {
  name: 'capture-envelopes',
  description: 'Saves the request bodies VS Code chat modes and inline chat send (fixtures for the envelope reader)',
  manual: true,
  timeoutMs: 900_000,
  async setup(ctx) {
    ollamaUrl = await useFakeOllama(ctx, { 'chat.allowAnonymousAccess': true }, { models: QWEN_CODER_LADDER });
    workspaceDir = ctx.workspaceDir;
    tempDir = ctx.tempDir;
    captureDir = path.join(ctx.tempDir, 'provider-requests');
    ctx.env.RIGHTSIZE_CAPTURE_DIR = captureDir;
    fs.writeFileSync(path.join(ctx.workspaceDir, 'app.js'), APP_JS);
  },
  async run({ page, log }) {
    await statusBarItem(page, 'Rightsize', 90_000);
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    for (const c of cases(workspaceDir)) await capture(page, c, log);
  },
};
