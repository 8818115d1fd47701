// What Rightsize Auto advertises to the chat under each rightsize.chat.autoWindow choice.
import * as assert from 'node:assert/strict';
import { autoWindow, inputTokensOf } from '../../../src/core/chat/autoWindow';
import { withWindowCap } from '../../../src/core/backends/ollamaContextWindow';
import { Catalog } from '../../../src/core/catalog/catalog';
import { CONTEXT_SAFETY_MARGIN } from '../../../src/core/router/router';
import { ContextWindowChooser, DEFAULT_OUTPUT_RESERVE_TOKENS, neededWindowTokens } from '../../../src/core/backends/ollamaContextWindow';

const catalog = Catalog.builtIn();
const local = ['qwen2.5-coder:1.5b', 'qwen2.5-coder:7b'].map((id) => catalog.get(id, 'ollama')!);
const cloud = catalog.get('gpt-5-mini')!;

describe('chat: Auto\'s advertised window', () => {
  it('`largest`: the largest window of any candidate (gpt-5-mini: 272k less its output room)', () => {
    const w = autoWindow([...local, cloud], 'largest');
    assert.equal(w.maxInputTokens, inputTokensOf(cloud));
    assert.ok(w.maxInputTokens > 150_000, String(w.maxInputTokens));
    assert.equal(w.maxOutputTokens, cloud.maxOutputTokens);
  });

  it('`local`: the largest local window, so Copilot builds prompts a local model can take', () => {
    const w = autoWindow([...local, cloud], 'local');
    assert.equal(w.maxInputTokens, Math.max(...local.map(inputTokensOf)));
    assert.ok(w.maxInputTokens < 32_768);
  });

  it('`local` uses the windows as capped on this machine (memory), and such a prompt passes both the router and num_ctx', () => {
    const capped = withWindowCap(local[1], { tokens: 16_384, limitedBy: 'memory: test' });
    const w = autoWindow([capped, cloud], 'local');
    assert.equal(w.maxInputTokens, inputTokensOf(capped));
    // A prompt of exactly the advertised size fits the router's usable window with the agent's expected output...
    assert.ok(w.maxInputTokens + 2000 <= Math.floor(capped.contextTokens * (1 - CONTEXT_SAFETY_MARGIN)), `${w.maxInputTokens} in ${capped.contextTokens}`);
    // ...and Rightsize sends it to Ollama (num_ctx the cap; output limited to what is left when the reserve does not fit).
    const choice = new ContextWindowChooser().choose({ conversationId: 'c', modelId: capped.id, promptTokens: w.maxInputTokens, cap: { tokens: capped.contextTokens, limitedBy: 'memory: test' } });
    assert.ok(choice.ok, JSON.stringify(choice));
    // With 32k windows (the usual case) the whole output reserve fits.
    const full = autoWindow([local[1], cloud], 'local').maxInputTokens;
    assert.ok(neededWindowTokens(full, DEFAULT_OUTPUT_RESERVE_TOKENS) <= local[1].contextTokens);
  });

  it('`local` without local models, and with none at all: fall back to the largest / the floor', () => {
    assert.equal(autoWindow([cloud], 'local').maxInputTokens, inputTokensOf(cloud));
    assert.deepEqual(autoWindow([], 'local'), { maxInputTokens: 8192, maxOutputTokens: 4096 });
  });
});
