// Starts `rightsize serve` as a user does (a separate process, `--json` start line) against the fake
// servers, and runs the real assistants' CLIs to completion. The clients are pinned and installed outside
// the repository by scripts/assistants-setup.js.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Fakes } from '../unit/gateway/rig';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const setup = require('../../../scripts/assistants-setup.js') as {
  install(): { claudeBin: string; codexBin: string; openai: string; anthropicSdk: string };
};

export const CLI = path.resolve(__dirname, '..', '..', 'src', 'cli.js');

export interface Serve {
  url: string;
  token: string;
  tokenFile: string | null;
  ledgerDir: string;
  child: ChildProcess;
  stderr(): string;
  /** Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function startServe(fakes: Fakes, dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Serve> {
  const ledgerDir = path.join(dir, 'ledger');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--json', '--no-settings', '--ledger', ledgerDir,
    '--token-file', path.join(dir, 'gateway-token'), '--workspace', dir,
    '--openai-base-url', `${fakes.openai.url}/v1`, '--anthropic-base-url', fakes.anthropic.url, ...extra], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: dir, OLLAMA_HOST: fakes.ollama.url, OPENAI_API_KEY: 'sk-test-openai-0000', ANTHROPIC_API_KEY: 'sk-ant-test-0000', ...env },
  });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`rightsize serve printed no start line within 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) { clearTimeout(timer); resolve(out.slice(0, nl)); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`rightsize serve exited ${code}: ${err}`)); });
  });
  const start = JSON.parse(line) as { url: string; token: string; tokenFile: string | null };
  return {
    ...start, ledgerDir, child, stderr: () => err,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(child.exitCode); return; }
      child.once('exit', (code) => resolve(code));
      child.kill('SIGINT');
    }),
  };
}

/** Runs a client to completion (asynchronously: the fakes live in this process). */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 120_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, out, err }); });
  });
}

/** The records `rightsize serve` wrote (the ledger's JSON lines). */
export function ledgerRecords(dir: string): any[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

/** Waits for the ledger to hold `n` records (serve appends when a request ends). */
export async function waitForLedger(dir: string, n: number, ms = 5000): Promise<any[]> {
  const end = Date.now() + ms;
  for (;;) {
    const rs = ledgerRecords(dir);
    if (rs.length >= n || Date.now() > end) return rs;
    await new Promise((r) => setTimeout(r, 50));
  }
}
