#!/usr/bin/env node
// `npm run capture:envelopes`: re-captures the request envelopes of real clients into
// test/fixtures/envelopes/ (README there). Each client runs for real against the fake model servers
// (test/fakes), which record the request bodies:
//   vscode       the real VS Code 1.139 workbench, chat in Agent / Ask / Plan mode and inline chat
//                (the manual workbench scenario test/workbench/scenarios/capture-envelopes.scenario.ts)
//   claude-code  `claude -p` (pinned in scripts/assistants-setup.js) against the fake Anthropic server
//   cline        the Cline CLI (npm `cline`, pinned below, installed into a cache outside the repository)
//                against the fake OpenAI server (its openai-compatible provider)
//   cline-task   the Cline VS Code extension's `<task>` / `<environment_details>` shape, reproduced from
//                Cline's public source (no headless way to run the extension here)
//   fim          a fill-in-the-middle completion sent with the real `ollama` client to the fake Ollama
// Usage: node scripts/capture-envelopes.js [--only vscode,claude-code,cline,cline-task,fim]
// Needs `npm run build` and `tsc -p .` first (npm run capture:envelopes does both).
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'test', 'fixtures', 'envelopes');
const WORKSPACE = '/home/user/workspace';
const PROMPT = 'Rename the variable t to total in app.js';
const APP_JS = 'const t = 1 + 2;\nconsole.log(t);\nmodule.exports = t;\n';
const CLINE_VERSION = '3.0.65';
const ALL = ['vscode', 'claude-code', 'cline', 'cline-task', 'fim'];

function fakes() {
  const file = path.join(ROOT, 'out', 'test', 'fakes', 'index.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`tsc -p .\` first`);
  return require(file);
}

/** A temporary project folder with app.js, and a function that replaces its path by WORKSPACE. */
function project(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rightsize-capture-${name}-`));
  const proj = path.join(dir, 'workspace');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'app.js'), APP_JS);
  // The project folder becomes WORKSPACE; the random temporary folder around it (client homes, also in
  // the dash-mangled form Claude Code uses for project folders) a fixed name.
  const tmp = path.basename(dir);
  const scrub = (value) => JSON.parse(JSON.stringify(value).split(proj).join(WORKSPACE).split(tmp).join(`rightsize-capture-${name}`));
  return { dir, proj, scrub };
}

function save(file, fixture) {
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, file), JSON.stringify(fixture) + '\n');
  const n = fixture.requests.length;
  console.log(`  ${file}: ${n} request${n === 1 ? '' : 's'}`);
}

/** Runs a command without blocking the event loop (the fakes answer it from this process). */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGTERM'), 180_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${path.basename(cmd)} exited with ${code}: ${out.slice(-800)}`));
    });
  });
}

function captureVscode() {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out', 'test', 'workbench', 'run.js'), '--only', '^capture-envelopes$'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the workbench capture failed');
}

async function captureClaudeCode() {
  const setup = require('./assistants-setup.js');
  const paths = setup.install();
  const { startFakeAnthropic } = fakes();
  const fake = await startFakeAnthropic();
  const p = project('claude');
  try {
    fake.script(
      { chunks: [], toolCalls: [{ name: 'Read', arguments: { file_path: path.join(p.proj, 'app.js') } }] },
      { text: 'Renamed t to total in app.js.' },
    );
    const home = path.join(p.dir, 'home');
    fs.mkdirSync(home);
    await run(paths.claudeBin, ['-p', '--model', 'claude-sonnet-4-5', PROMPT], {
      cwd: p.proj,
      env: {
        PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
        ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: fake.apiKey,
        DISABLE_TELEMETRY: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
    });
    const requests = fake.requests.filter((r) => r.path === '/v1/messages').map((r) => ({ backend: { path: r.path, body: r.body } }));
    save('claude-code-rename-toolloop.json', p.scrub({
      description: '`claude -p` in a project with app.js: the rename answered with a Read tool call, then the request carrying its tool_result',
      capturedWith: { client: `@anthropic-ai/claude-code ${setup.PACKAGES['@anthropic-ai/claude-code']}`, by: 'scripts/capture-envelopes.js (claude-code)' },
      prompts: [PROMPT], workspacePlaceholder: WORKSPACE, requests,
    }));
  } finally {
    await fake.close();
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
}

/** The pinned Cline CLI in ~/.cache/rightsize-capture (installed on first use). */
function clineBin() {
  const dir = path.join(process.env.RIGHTSIZE_CAPTURE_CACHE || path.join(os.homedir(), '.cache', 'rightsize-capture'), `cline-${CLINE_VERSION}`);
  const bin = path.join(dir, 'node_modules', 'cline', 'bin', 'cline');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
    console.log(`  installing cline@${CLINE_VERSION} into ${dir}`);
    const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', `cline@${CLINE_VERSION}`], { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`npm install cline@${CLINE_VERSION} failed`);
  }
  return bin;
}

async function captureCline() {
  const bin = clineBin();
  const { startFakeOpenAI } = fakes();
  const fake = await startFakeOpenAI();
  const p = project('cline');
  try {
    const home = path.join(p.dir, 'home');
    fs.mkdirSync(home);
    const common = ['--config', path.join(home, '.cline'), '--data-dir', path.join(home, 'data')];
    const env = { PATH: process.env.PATH, HOME: home };
    await run(process.execPath, [bin, 'auth', 'openai-compatible', '-k', fake.apiKey, '-m', 'gpt-5-mini', '-b', `${fake.url}/v1`, ...common], { env });
    fake.script(
      { chunks: [], toolCalls: [{ name: 'read_files', arguments: { files: [{ path: path.join(p.proj, 'app.js') }] } }] },
      { text: 'Renamed t to total in app.js.' },
    );
    await run(process.execPath, [bin, ...common, '-c', p.proj, '-t', '120', PROMPT], { env });
    const requests = fake.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => ({ backend: { path: r.path, body: r.body } }));
    save('cline-cli-rename-toolloop.json', p.scrub({
      description: 'The Cline CLI (act mode, openai-compatible provider): the rename answered with a read_files tool call, then the request carrying its result',
      capturedWith: { client: `cline ${CLINE_VERSION} (npm)`, by: 'scripts/capture-envelopes.js (cline)' },
      prompts: [PROMPT], workspacePlaceholder: WORKSPACE, requests,
    }));
  } finally {
    await fake.close();
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
}

/**
 * The Cline VS Code extension's request shape, reproduced (not captured) from its public source
 * (github.com/cline/cline, src/core/task/index.ts: startTask wraps the task in `<task>`, every user turn ends
 * with getEnvironmentDetails()'s `<environment_details>`; tool results come back as `[tool] Result:` text
 * in a user message). The system prompt is an abbreviated stand-in of the same kind.
 */
function captureClineTask() {
  const env = (files) => `<environment_details>\n# VSCode Visible Files\napp.js\n\n# VSCode Open Tabs\napp.js\n\n# Current Time\n12/2/2026, 9:14:03 AM (Europe/Berlin, UTC+1:00)${files ? `\n\n# Current Working Directory (${WORKSPACE}) Files\napp.js\nREADME.md` : ''}\n\n# Context Window Usage\n0 / 128K tokens used (0%)\n\n# Current Mode\nACT MODE\n</environment_details>`;
  const system = 'You are Cline, a highly skilled software engineer with extensive knowledge in many programming languages, frameworks, design patterns, and best practices.\n\n====\n\nTOOL USE\n\nYou have access to a set of tools that are executed upon the user\'s approval. You can use one tool per message, and will receive the result of that tool use in the user\'s response.\n\n# Tools\n\n## read_file\nDescription: Request to read the contents of a file at the specified path.\nParameters:\n- path: (required) The path of the file to read\nUsage:\n<read_file>\n<path>File path here</path>\n</read_file>\n\n## replace_in_file\n…\n\n====\n\nRULES\n\n- Your current working directory is: ' + WORKSPACE + '\n…';
  const first = [
    { role: 'system', content: system },
    { role: 'user', content: [{ type: 'text', text: `<task>\n${PROMPT}\n</task>` }, { type: 'text', text: env(true) }] },
  ];
  const loop = [
    ...first,
    { role: 'assistant', content: 'I\'ll read app.js first.\n\n<read_file>\n<path>app.js</path>\n</read_file>' },
    { role: 'user', content: [{ type: 'text', text: '[read_file for \'app.js\'] Result:' }, { type: 'text', text: `<file_content path="app.js">\n1 | const t = 1 + 2;\n2 | console.log(t);\n3 | module.exports = t;\n</file_content>` }, { type: 'text', text: env(false) }] },
  ];
  const body = (messages) => ({ model: 'qwen2.5-coder:7b', messages, stream: true, stream_options: { include_usage: true } });
  save('cline-extension-task-reproduced.json', {
    description: 'REPRODUCED from Cline\'s public source, not captured: the VS Code extension\'s first request (<task> + <environment_details>) and its tool-result continuation (XML tool call, "[read_file for ...] Result:")',
    capturedWith: { client: 'Cline VS Code extension (shape from github.com/cline/cline src/core/task/index.ts)', by: 'scripts/capture-envelopes.js (cline-task)' },
    prompts: [PROMPT], workspacePlaceholder: WORKSPACE,
    requests: [{ backend: { path: '/v1/chat/completions', body: body(first) } }, { backend: { path: '/v1/chat/completions', body: body(loop) } }],
  });
}

async function captureFim() {
  const { startFakeOllama } = fakes();
  const { Ollama } = require('ollama');
  const fake = await startFakeOllama();
  try {
    const client = new Ollama({ host: fake.url });
    const prefix = 'function total(items) {\n  let t = 0;\n  for (const item of items) {\n    ';
    const suffix = '\n  }\n  return t;\n}\n\nmodule.exports = { total };\n';
    const stream = await client.generate({
      model: 'qwen2.5-coder:1.5b', prompt: prefix, suffix, stream: true,
      options: { temperature: 0.01, num_predict: 128, stop: ['\n\n'] }, keep_alive: '30m',
    });
    for await (const part of stream) void part;
    const requests = fake.requests.filter((r) => r.path === '/api/generate').map((r) => ({ backend: { path: r.path, body: r.body } }));
    save('ollama-fim-generate.json', {
      description: 'A fill-in-the-middle completion as the real `ollama` client sends it: POST /api/generate with prompt (before the cursor) and suffix (after it)',
      capturedWith: { client: `ollama (npm) ${require('ollama/package.json').version}`, by: 'scripts/capture-envelopes.js (fim)' },
      prompts: [], workspacePlaceholder: WORKSPACE, requests,
    });
  } finally {
    await fake.close();
  }
}

async function main() {
  const i = process.argv.indexOf('--only');
  const only = i > 0 ? String(process.argv[i + 1] || '').split(',').filter(Boolean) : ALL;
  const bad = only.filter((o) => !ALL.includes(o));
  if (bad.length) throw new Error(`unknown capture ${bad.join(', ')}; known: ${ALL.join(', ')}`);
  const steps = { vscode: captureVscode, 'claude-code': captureClaudeCode, cline: captureCline, 'cline-task': captureClineTask, fim: captureFim };
  for (const name of only) {
    console.log(`capturing ${name}`);
    await steps[name]();
  }
}

main().catch((e) => {
  console.error(`✘ capture failed: ${(e && e.stack) || e}`);
  process.exit(1);
});
