// The fake Ollama and OpenAI servers for a mocha suite of the pipeline: started before the suite, reset
// before each test, closed after it. Call inside `describe`; read the servers through the returned object
// (they exist once the suite's `before` has run).
import { FakeOllama, FakeOllamaOptions, FakeOpenAI, startFakeOllama, startFakeOpenAI } from '../fakes';

export interface FakeBackends { readonly ollama: FakeOllama; readonly openai: FakeOpenAI }

export function useFakeBackends(opts: { openaiKey: string; ollama?: FakeOllamaOptions }): FakeBackends {
  let ollama: FakeOllama | undefined;
  let openai: FakeOpenAI | undefined;
  before(async () => {
    ollama = await startFakeOllama(opts.ollama);
    openai = await startFakeOpenAI({ apiKey: opts.openaiKey });
  });
  after(async () => {
    await ollama?.close();
    await openai?.close();
  });
  beforeEach(() => {
    ollama?.reset();
    openai?.reset();
  });
  return {
    get ollama() { if (!ollama) throw new Error('the fake Ollama is not started yet (use it inside a test)'); return ollama; },
    get openai() { if (!openai) throw new Error('the fake OpenAI is not started yet (use it inside a test)'); return openai; },
  };
}
