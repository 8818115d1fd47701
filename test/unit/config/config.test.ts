import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CONFIG, parseConfig } from '../../../src/core/config';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../../package.json'), 'utf8'));
const props: Record<string, { default?: unknown; scope?: string; type?: unknown }> = manifest.contributes.configuration.properties;

describe('config: parseConfig', () => {
  it('returns the defaults with no errors for an empty object', () => {
    const { config, errors } = parseConfig({});
    assert.deepEqual(errors, []);
    assert.deepEqual(config, DEFAULT_CONFIG);
  });

  it('accepts valid values', () => {
    const { config, errors } = parseConfig({
      mode: 'auto', objective: 'energy', localOnly: true, 'ollama.host': 'http://10.0.0.2:11434/',
      cloudModels: ['gpt-5', 'gpt-5', ' claude-haiku-4-5 '], 'energy.devicePowerWatts': [20, 60],
      'money.electricityUsdPerKwh': 0.3, 'carbon.gridIntensityGPerKwh': 50, 'suggestions.mutedTasks': ['document'],
      'budget.day.usd': 2, 'budget.action': 'block',
    });
    assert.deepEqual(errors, []);
    assert.equal(config.mode, 'auto');
    assert.equal(config.objective, 'energy');
    assert.equal(config.localOnly, true);
    assert.equal(config.ollamaHost, 'http://10.0.0.2:11434', 'trailing slash trimmed');
    assert.deepEqual(config.cloudModels, ['gpt-5', 'claude-haiku-4-5'], 'trimmed and de-duplicated');
    assert.deepEqual(config.energy.devicePowerW, { min: 20, max: 60 });
    assert.equal(config.energy.electricityUsdPerKwh, 0.3);
    assert.equal(config.energy.gridGPerKwh, 50);
    assert.deepEqual(config.mutedTasks, ['document']);
    assert.equal(config.budget.limits.day?.usd, 2);
    assert.equal(config.budget.action, 'block');
    assert.equal(config.energy.cloudGridGPerKwh, undefined, 'cloud intensity defaults to the provider region');
  });

  it('reads the cloud grid intensity and the embodied switch, rejecting bad values by name', () => {
    const ok = parseConfig({ 'carbon.cloudGridIntensityGPerKwh': 120, 'carbon.includeEmbodied': true });
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.config.energy.cloudGridGPerKwh, 120);
    assert.equal(ok.config.energy.includeEmbodied, true);
    const empty = parseConfig({ 'carbon.cloudGridIntensityGPerKwh': null });
    assert.equal(empty.config.energy.cloudGridGPerKwh, undefined);
    const bad = parseConfig({ 'carbon.cloudGridIntensityGPerKwh': -5, 'carbon.includeEmbodied': 'yes' });
    assert.equal(bad.config.energy.cloudGridGPerKwh, undefined);
    assert.equal(bad.config.energy.includeEmbodied, false);
    assert.ok(bad.errors.some((e) => e.startsWith('rightsize.carbon.cloudGridIntensityGPerKwh')));
    assert.ok(bad.errors.some((e) => e.startsWith('rightsize.carbon.includeEmbodied')));
  });

  it('rejects bad values with a message naming the setting, and falls back to the default', () => {
    const { config, errors } = parseConfig({
      mode: 'turbo', localOnly: 'yes', 'ollama.host': 'ftp://x', 'openai.baseUrl': 'https://user:pw@evil.example',
      'money.electricityUsdPerKwh': -1, 'energy.devicePowerWatts': [60, 20], cloudModels: 'gpt-5', 'suggestions.mutedTasks': ['nap'],
      'budget.day.usd': 'ten',
    });
    assert.equal(config.mode, DEFAULT_CONFIG.mode);
    assert.equal(config.localOnly, false);
    assert.equal(config.ollamaHost, DEFAULT_CONFIG.ollamaHost);
    assert.equal(config.openaiBaseUrl, DEFAULT_CONFIG.openaiBaseUrl, 'credentials in URLs are refused');
    assert.equal(config.energy.electricityUsdPerKwh, DEFAULT_CONFIG.energy.electricityUsdPerKwh);
    assert.equal(config.energy.devicePowerW, undefined);
    assert.deepEqual(config.cloudModels, DEFAULT_CONFIG.cloudModels);
    assert.deepEqual(config.mutedTasks, []);
    assert.equal(config.budget.limits.day?.usd, undefined);
    for (const key of ['rightsize.mode', 'rightsize.localOnly', 'rightsize.ollama.host', 'rightsize.openai.baseUrl', 'rightsize.money.electricityUsdPerKwh',
      'rightsize.energy.devicePowerWatts', 'rightsize.cloudModels', 'rightsize.suggestions.mutedTasks', 'rightsize.budget.day.usd']) {
      assert.ok(errors.some((e) => e.startsWith(key)), `an error names ${key}: ${errors.join(' | ')}`);
    }
    assert.ok(!errors.some((e) => e.includes('pw@')), 'a rejected URL with credentials is not echoed in full');
  });
});

describe('config: the manifest agrees with the parser', () => {
  it('every manifest default parses without errors to DEFAULT_CONFIG', () => {
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) if (v.default !== undefined) raw[k.replace(/^rightsize\./, '')] = v.default;
    const { config, errors } = parseConfig(raw);
    assert.deepEqual(errors, []);
    assert.deepEqual(config, DEFAULT_CONFIG);
  });

  it('settings that receive prompts or keys cannot be set from a workspace (machine or application scope)', () => {
    for (const key of ['rightsize.ollama.host', 'rightsize.openai.baseUrl', 'rightsize.anthropic.baseUrl', 'rightsize.ledger.directory',
      'rightsize.carbon.gridIntensityGPerKwh', 'rightsize.carbon.cloudGridIntensityGPerKwh', 'rightsize.carbon.includeEmbodied']) {
      assert.ok(['machine', 'application'].includes(String(props[key]?.scope)), `${key} has scope ${props[key]?.scope}`);
    }
  });

  it('budget limits are resource-scoped so a team can commit them', () => {
    const budgetKeys = Object.keys(props).filter((k) => /^rightsize\.budget\.(session|day|week|month)\.(tokens|wh|usd)$/.test(k));
    assert.equal(budgetKeys.length, 12);
    for (const k of budgetKeys) assert.equal(props[k].scope, 'resource', k);
  });

  it('no setting holds an API key', () => {
    for (const k of Object.keys(props)) assert.ok(!/key|token|secret|password/i.test(k.replace(/\.tokens$/, '')), `${k} looks like a secret`);
  });
});
