import * as assert from 'node:assert/strict';
import { Catalog } from '../../../src/core/catalog/catalog';
import { describeOllamaModel, OllamaShowInfo, parseParameterSize } from '../../../src/core/catalog/ollamaModels';
import { derivedCapability, DERIVED_CAP } from '../../../src/core/catalog/capability';
import { CatalogModelSpec } from '../../../src/core/catalog/specExtensions';

const catalog = Catalog.builtIn();

// /api/show payloads in Ollama's wire format (fields as the ollama npm client's ShowResponse types them).
const showUnknownDense: OllamaShowInfo = {
  details: { format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '6.7B', quantization_level: 'Q4_0' },
  model_info: { 'general.architecture': 'llama', 'llama.context_length': 16384, 'llama.embedding_length': 4096 },
  capabilities: ['completion', 'insert'],
};

describe('describeOllamaModel', () => {
  it('returns the catalog entry for a known tag (and for its :latest spelling)', () => {
    const m = describeOllamaModel('qwen2.5-coder:7b', showUnknownDense, catalog);
    assert.equal(m, catalog.get('qwen2.5-coder:7b'));
    assert.equal(m.derived, undefined);
  });

  it('describes an unknown tag from /api/show: parameter_size 6.7B, context from model_info, capabilities', () => {
    const m = describeOllamaModel('deepseek-coder:6.7b', showUnknownDense, catalog) as CatalogModelSpec;
    assert.equal(m.id, 'deepseek-coder:6.7b');
    assert.equal(m.provider, 'ollama');
    assert.equal(m.location, 'local');
    assert.equal(m.derived, true);
    assert.deepEqual(m.params.totalB, { min: 6.7, max: 6.7 });
    assert.deepEqual(m.params.activeB, { min: 6.7, max: 6.7 });
    assert.equal(m.contextTokens, 16384);
    assert.equal(m.tools, false);
    assert.equal(m.local?.quantization, 'Q4_0');
    assert.equal(m.capability.score, derivedCapability({ totalB: 6.7, activeB: 6.7, name: 'deepseek-coder:6.7b', family: 'llama' }));
    assert.ok(m.capability.score > 0 && m.capability.score <= DERIVED_CAP);
    for (const k of ['params', 'contextTokens', 'maxOutputTokens', 'capability', 'tools']) assert.ok(m.sources[k], `source ${k}`);
    assert.match(m.sources.params, /parameter_size 6\.7B/);
  });

  it('prefers general.parameter_count and reads tools/vision capabilities', () => {
    const m = describeOllamaModel('mystery:latest', {
      details: { parameter_size: '8.0B', family: 'llama' },
      model_info: { 'general.architecture': 'mllama', 'general.parameter_count': 10_670_220_835, 'mllama.context_length': 131072 },
      capabilities: ['completion', 'tools', 'vision'],
    }, catalog);
    assert.ok(Math.abs(m.params.totalB.min - 10.67) < 0.01);
    assert.equal(m.contextTokens, 131072);
    assert.equal(m.tools, true);
    assert.equal(m.vision, true);
    assert.equal(m.displayName, 'mystery');
  });

  it('derives an active-parameter range for an unknown MoE from expert counts', () => {
    const m = describeOllamaModel('qwen3:30b-a3b', {
      details: { family: 'qwen3moe', parameter_size: '30.5B' },
      model_info: { 'general.architecture': 'qwen3moe', 'general.parameter_count': 30_532_122_624, 'qwen3moe.context_length': 40960, 'qwen3moe.expert_count': 128, 'qwen3moe.expert_used_count': 8 },
      capabilities: ['completion', 'tools', 'thinking'],
    }, catalog);
    assert.ok(m.params.activeB.min < 3.3 && m.params.activeB.max > 3.3, `active ${JSON.stringify(m.params.activeB)} should bracket the real 3.3B`);
    assert.ok(m.params.activeB.max < m.params.totalB.max);
  });

  it('keeps the capability of the catalog model for a quantisation variant of it', () => {
    const m = describeOllamaModel('qwen2.5-coder:7b-instruct-q8_0', {
      details: { family: 'qwen2', parameter_size: '7.6B', quantization_level: 'Q8_0' },
      model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 32768 },
      capabilities: ['completion', 'tools', 'insert'],
    }, catalog) as CatalogModelSpec;
    assert.equal(m.capability.score, catalog.get('qwen2.5-coder:7b')!.capability.score);
    assert.match(m.capability.source, /variant of catalog model qwen2\.5-coder:7b/);
    assert.equal(m.local?.quantization, 'Q8_0');
  });

  it('marks -cloud models and models with remote_host as remote cloud models', () => {
    const byTag = describeOllamaModel('qwen3-coder:480b-cloud', undefined, catalog);
    assert.equal(byTag.location, 'cloud');
    assert.equal(byTag.remote, true);
    assert.deepEqual(byTag.params.totalB, { min: 480, max: 480 });
    assert.ok(byTag.pue && byTag.pue > 1);

    const byShow = describeOllamaModel('team-model:latest', {
      details: { parameter_size: '120B' }, remote_host: 'https://ollama.com:443', remote_model: 'gpt-oss:120b', capabilities: ['completion', 'tools'],
    }, catalog);
    assert.equal(byShow.location, 'cloud');
    assert.equal(byShow.remote, true);

    const localTagServedRemotely = describeOllamaModel('qwen2.5-coder:7b', { remote_host: 'https://ollama.example:443', remote_model: 'qwen2.5-coder:7b' }, catalog);
    assert.equal(localTagServedRemotely.location, 'cloud');
    assert.equal(localTagServedRemotely.remote, true);
    assert.equal(localTagServedRemotely.capability.score, catalog.get('qwen2.5-coder:7b')!.capability.score);
    assert.equal(catalog.get('qwen2.5-coder:7b')!.location, 'local', 'the catalog entry itself is untouched');

    const known = describeOllamaModel('gpt-oss:120b-cloud', undefined, catalog);
    assert.equal(known.location, 'cloud');
    assert.equal(known.remote, true);
    assert.equal(known.derived, undefined);
  });

  it('handles a missing /api/show gracefully, with the size from the tag or a wide assumption', () => {
    const sized = describeOllamaModel('mistral:7b', undefined, catalog);
    assert.deepEqual(sized.params.totalB, { min: 7, max: 7 });
    assert.equal(sized.location, 'local');
    assert.ok(sized.contextTokens > 0);
    const bare = describeOllamaModel('mystery', undefined, catalog);
    assert.ok(bare.params.totalB.max > bare.params.totalB.min, 'unknown size is a range');
    assert.match(bare.sources.params, /^assumption/);
    assert.match(bare.sources.contextTokens, /^assumption/);
  });

  it('never throws, even on garbage show data', () => {
    const garbage = { details: { parameter_size: 'huge' }, model_info: null, capabilities: 'tools' } as unknown as OllamaShowInfo;
    const m = describeOllamaModel('odd:tag', garbage, catalog);
    assert.equal(m.id, 'odd:tag');
    assert.ok(m.params.totalB.min > 0);
  });

  it('scores embedding-only models zero', () => {
    const m = describeOllamaModel('nomic-embed-text:latest', {
      details: { family: 'nomic-bert', parameter_size: '137M' },
      model_info: { 'general.architecture': 'nomic-bert', 'nomic-bert.context_length': 2048 },
      capabilities: ['embedding'],
    }, catalog);
    assert.equal(m.capability.score, 0);
    assert.equal(m.tools, false);
  });
});

describe('parseParameterSize', () => {
  it('reads Ollama parameter_size strings', () => {
    assert.equal(parseParameterSize('6.7B'), 6.7);
    assert.ok(Math.abs(parseParameterSize('494.03M')! - 0.49403) < 1e-9);
    assert.equal(parseParameterSize('1.2T'), 1200);
    assert.equal(parseParameterSize('22M'), 0.022);
    assert.equal(parseParameterSize(''), undefined);
    assert.equal(parseParameterSize('big'), undefined);
  });
});

describe('derivedCapability', () => {
  it('grows with parameters, favours code families, and is capped', () => {
    const small = derivedCapability({ totalB: 1.5, activeB: 1.5, name: 'foo-coder:1.5b' });
    const big = derivedCapability({ totalB: 32, activeB: 32, name: 'foo-coder:32b' });
    const general = derivedCapability({ totalB: 32, activeB: 32, name: 'foo:32b', family: 'llama' });
    assert.ok(big > small);
    assert.ok(big > general);
    assert.equal(derivedCapability({ totalB: 100_000, activeB: 100_000, name: 'giant-coder' }), DERIVED_CAP);
    assert.ok(derivedCapability({ totalB: 1000, activeB: 1000, name: 'giant-coder' }) < DERIVED_CAP);
    const moe = derivedCapability({ totalB: 30, activeB: 3, name: 'x-coder' });
    assert.ok(moe < big && moe > derivedCapability({ totalB: 3, activeB: 3, name: 'x-coder' }));
  });
});
