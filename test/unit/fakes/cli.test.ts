// The fake servers' CLI, run as a real child process (as the end-to-end workbench test does).
import * as assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'child_process';
import * as path from 'path';
import { parseArgs } from '../../fakes/cli';

const CLI = path.join(__dirname, '..', '..', 'fakes', 'cli.js');

function start(args: string[]): Promise<{ child: ChildProcess; urls: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, urls: JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => reject(new Error(`cli exited ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess, timeoutMs = 5000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const t = setTimeout(() => reject(new Error('cli did not exit')), timeoutMs);
    child.once('exit', (code) => { clearTimeout(t); resolve(code); });
  });
}

describe('fake servers CLI', () => {
  it('parses its options', () => {
    const o = parseArgs(['--only', 'ollama,openai', '--ollama-models', 'qwen2.5-coder:7b', '--tokens-per-second', '50', '--openai-key', 'k1']);
    assert.deepEqual(o.only, ['ollama', 'openai']);
    assert.deepEqual(o.ollamaModels!.map((m) => m.name), ['qwen2.5-coder:7b']);
    assert.equal(o.tokensPerSecond, 50);
    assert.equal(o.openaiKey, 'k1');
    assert.throws(() => parseArgs(['--ollama-models', 'nope:1b']), /unknown default Ollama model nope:1b/);
    assert.throws(() => parseArgs(['--only', 'gemini']), /unknown fake: gemini/);
  });

  it('prints the URLs as one JSON line, serves the chosen models, and exits when stdin closes', async () => {
    const { child, urls } = await start(['--only', 'ollama,anthropic', '--ollama-models', 'qwen2.5-coder:1.5b,llama3.1:8b']);
    try {
      assert.deepEqual(Object.keys(urls).sort(), ['anthropic', 'ollama']);
      const tags = await (await fetch(`${urls.ollama}/api/tags`)).json() as any;
      assert.deepEqual(tags.models.map((m: any) => m.name), ['qwen2.5-coder:1.5b', 'llama3.1:8b']);
      // Cross-process control API: script a reply, then see it and the recorded request.
      await fetch(`${urls.ollama}/_fake/script`, { method: 'POST', body: JSON.stringify({ text: 'scripted over http' }) });
      const chat = await (await fetch(`${urls.ollama}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'llama3.1:8b', stream: false, messages: [{ role: 'user', content: 'x' }] }) })).json() as any;
      assert.equal(chat.message.content, 'scripted over http');
      const seen = await (await fetch(`${urls.ollama}/_fake/requests`)).json() as any[];
      assert.deepEqual(seen.map((r) => r.path), ['/api/tags', '/api/chat']);
      child.stdin!.end();
      assert.equal(await exited(child), 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('stops on SIGTERM', async () => {
    const { child, urls } = await start(['--only', 'openai']);
    try {
      assert.deepEqual(Object.keys(urls), ['openai']);
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
      await assert.rejects(fetch(`${urls.openai}/v1/models`));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
