// What “Copy Gateway Settings For…” and the terminal variables give each client, and how `rightsize serve`
// reads its environment and VS Code's settings file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ollamaUrlFromEnv, readRightsizeSettings, vscodeUserSettingsFiles } from '../../../src/cli/commands/serve';
import { clientSettings, GATEWAY_CLIENTS, terminalEnvironment } from '../../../src/core/gateway';
import { clientNameOf } from '../../../src/core/gateway/clientName';

const URL_ = 'http://127.0.0.1:4242';
const TOKEN = 'rsk-gw-abc';

describe('gateway client settings and serve configuration', () => {
  it('Claude Code: the base URL, the token as ANTHROPIC_AUTH_TOKEN or in its own header (keeping the user\'s login), the auto model', () => {
    const env = Object.fromEntries(clientSettings('claude-code', URL_, TOKEN).split('\n').filter((l) => l.startsWith('export ')).map((l) => l.slice(7).split(/=(.*)/s).slice(0, 2)));
    assert.deepEqual(env, { ANTHROPIC_BASE_URL: URL_, ANTHROPIC_AUTH_TOKEN: TOKEN, ANTHROPIC_MODEL: 'rightsize-auto', ANTHROPIC_DEFAULT_HAIKU_MODEL: 'rightsize-auto' });
    assert.match(clientSettings('claude-code-own-login', URL_, TOKEN), /ANTHROPIC_CUSTOM_HEADERS='x-rightsize-token: rsk-gw-abc'/);
    assert.doesNotMatch(clientSettings('claude-code-own-login', URL_, TOKEN), /AUTH_TOKEN|API_KEY/);
  });

  it('Codex: a responses provider at /v1 with the token from an environment variable; OpenAI-compatible clients get /v1 and the token as key', () => {
    const codex = clientSettings('codex', URL_, TOKEN);
    assert.match(codex, /base_url = "http:\/\/127\.0\.0\.1:4242\/v1"/);
    assert.match(codex, /wire_api = "responses"/);
    assert.match(codex, /env_key = "RIGHTSIZE_GATEWAY_TOKEN"/);
    assert.match(clientSettings('aider', URL_, TOKEN), /OPENAI_API_BASE=http:\/\/127\.0\.0\.1:4242\/v1\n.*OPENAI_API_KEY=rsk-gw-abc\naider --model openai\/rightsize-auto/);
    assert.match(clientSettings('continue', URL_, TOKEN), /apiBase: http:\/\/127\.0\.0\.1:4242\/v1\n\s+apiKey: rsk-gw-abc/);
    assert.match(clientSettings('cline', URL_, TOKEN), /OpenAI Compatible\nBase URL: http:\/\/127\.0\.0\.1:4242\/v1/);
    assert.equal(GATEWAY_CLIENTS.length, 6);
  });

  it('terminal variables never replace another tool\'s own key', () => {
    const env = terminalEnvironment(URL_, TOKEN);
    assert.equal(env.ANTHROPIC_BASE_URL, URL_);
    assert.equal(env.RIGHTSIZE_GATEWAY_TOKEN, TOKEN);
    for (const k of ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) assert.equal(env[k], undefined, k);
  });

  it('OLLAMA_HOST as Ollama spells it; VS Code\'s settings files; rightsize.* keys from JSONC', () => {
    assert.equal(ollamaUrlFromEnv('0.0.0.0:11434'), 'http://127.0.0.1:11434');
    assert.equal(ollamaUrlFromEnv('http://gpu-box:8080'), 'http://gpu-box:8080');
    assert.equal(ollamaUrlFromEnv('localhost'), 'http://localhost:11434');
    assert.equal(ollamaUrlFromEnv(''), undefined);
    assert.ok(vscodeUserSettingsFiles({}, 'linux', '/home/u').includes('/home/u/.config/Code/User/settings.json'));
    assert.ok(vscodeUserSettingsFiles({}, 'darwin', '/Users/u')[0].startsWith('/Users/u/Library/Application Support/Code/'));
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rs-settings-')), 'settings.json');
    fs.writeFileSync(f, '{\n  // mine\n  "rightsize.ollama.host": "http://127.0.0.1:11500",\n  "editor.fontSize": 14,\n  "rightsize.gateway.port": 4300,\n}\n');
    assert.deepEqual(readRightsizeSettings(f), { 'ollama.host': 'http://127.0.0.1:11500', 'gateway.port': 4300 });
    assert.equal(readRightsizeSettings(path.join(f, 'missing')), undefined);
  });

  it('client names from user agents', () => {
    assert.equal(clientNameOf('claude-cli/2.1.332 (external, sdk-cli)'), 'claude-code');
    assert.equal(clientNameOf('codex_exec/0.171.0 (Debian 12.0.0; x86_64)'), 'codex');
    assert.equal(clientNameOf('OpenAI/JS 7.59.0'), 'openai-sdk');
    assert.equal(clientNameOf('Anthropic/JS 1.15.0'), 'anthropic-sdk');
    assert.equal(clientNameOf(undefined), 'unknown');
    assert.equal(clientNameOf('SomeTool/3.1 (linux)'), 'sometool');
  });
});
