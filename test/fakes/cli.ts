// Starts fake model servers from a standalone Node process (end-to-end workbench tests).
//
//   node out/test/fakes/cli.js [--only ollama,openai,anthropic] [--ollama-models a:1b,b:7b]
//        [--ollama-models-json file.json] [--tokens-per-second N] [--prompt-tokens-per-second N]
//        [--openai-key K] [--openai-models m1,m2] [--anthropic-key K] [--anthropic-models m1,m2]
//
// Prints one JSON line on stdout, e.g.
//   {"ollama":"http://127.0.0.1:41234","openai":"http://127.0.0.1:41235","anthropic":"http://127.0.0.1:41236"}
// and runs until SIGTERM/SIGINT, or until stdin closes when stdin is a pipe (so a parent that dies takes
// the fakes with it). Each fake also answers loopback control requests: POST /_fake/script (a FakeReply
// or an array), POST /_fake/models (Ollama: FakeOllamaModel[]), GET /_fake/requests, POST /_fake/reset.
import * as fs from 'fs';
import { DEFAULT_OLLAMA_MODELS, FakeOllamaModel, startFakeOllama } from './fakeOllama';
import { startFakeOpenAI } from './fakeOpenAI';
import { startFakeAnthropic } from './fakeAnthropic';
import type { FakeServerBase } from './common';

export interface CliOptions {
  only: Array<'ollama' | 'openai' | 'anthropic'>;
  ollamaModels?: FakeOllamaModel[];
  tokensPerSecond?: number;
  promptTokensPerSecond?: number;
  openaiKey?: string;
  openaiModels?: string[];
  anthropicKey?: string;
  anthropicModels?: string[];
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { only: ['ollama', 'openai', 'anthropic'] };
  const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--only': {
        const names = list(value());
        for (const n of names) if (n !== 'ollama' && n !== 'openai' && n !== 'anthropic') throw new Error(`unknown fake: ${n}`);
        opts.only = names as CliOptions['only'];
        break;
      }
      case '--ollama-models': {
        const names = list(value());
        opts.ollamaModels = names.map((n) => {
          const m = DEFAULT_OLLAMA_MODELS.find((d) => d.name === n);
          if (!m) throw new Error(`unknown default Ollama model ${n}; known: ${DEFAULT_OLLAMA_MODELS.map((d) => d.name).join(', ')} (use --ollama-models-json for others)`);
          return m;
        });
        break;
      }
      case '--ollama-models-json': opts.ollamaModels = JSON.parse(fs.readFileSync(value(), 'utf8')); break;
      case '--tokens-per-second': opts.tokensPerSecond = Number(value()); break;
      case '--prompt-tokens-per-second': opts.promptTokensPerSecond = Number(value()); break;
      case '--openai-key': opts.openaiKey = value(); break;
      case '--openai-models': opts.openaiModels = list(value()); break;
      case '--anthropic-key': opts.anthropicKey = value(); break;
      case '--anthropic-models': opts.anthropicModels = list(value()); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return opts;
}

export async function startFakes(opts: CliOptions): Promise<{ urls: Record<string, string>; close(): Promise<void> }> {
  const servers: FakeServerBase[] = [];
  const urls: Record<string, string> = {};
  if (opts.only.includes('ollama')) {
    const s = await startFakeOllama({ models: opts.ollamaModels, tokensPerSecond: opts.tokensPerSecond, promptTokensPerSecond: opts.promptTokensPerSecond });
    servers.push(s); urls.ollama = s.url;
  }
  if (opts.only.includes('openai')) {
    const s = await startFakeOpenAI({ apiKey: opts.openaiKey, models: opts.openaiModels, tokensPerSecond: opts.tokensPerSecond });
    servers.push(s); urls.openai = s.url;
  }
  if (opts.only.includes('anthropic')) {
    const s = await startFakeAnthropic({ apiKey: opts.anthropicKey, models: opts.anthropicModels, tokensPerSecond: opts.tokensPerSecond });
    servers.push(s); urls.anthropic = s.url;
  }
  return { urls, close: async () => { await Promise.all(servers.map((s) => s.close())); } };
}

function stdinIsPipe(): boolean {
  try {
    const st = fs.fstatSync(0);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fake servers: ${(e as Error).message}\n`);
    process.exit(2);
  }
  // Handlers first: a parent may signal as soon as it reads the URLs.
  let fakes: { close(): Promise<void> } | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (fakes ? fakes.close() : Promise.resolve()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (stdinIsPipe()) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  const started = await startFakes(opts);
  fakes = started;
  if (stopping) { await started.close(); return; }
  process.stdout.write(JSON.stringify(started.urls) + '\n');
}

if (require.main === module) void main();
