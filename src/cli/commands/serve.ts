// rightsize serve: the loopback gateway in the foreground (Ctrl-C stops it), for terminal agents when VS
// Code is not running — the same gateway, pipeline, budgets and ledger as the extension's.
//
// Settings, strongest first: flags; the usual environment (OLLAMA_HOST, OPENAI_API_KEY, ANTHROPIC_API_KEY,
// RIGHTSIZE_LEDGER_DIR, RIGHTSIZE_GATEWAY_TOKEN); VS Code's user settings file (rightsize.* keys, as the
// extension reads them; --settings FILE or --no-settings); the defaults. Budgets: the workspace folder's
// committed .vscode/settings.json (rightsize.budget.*) when it has any, as in VS Code.
// The token: RIGHTSIZE_GATEWAY_TOKEN, else a per-install token file (created on first start, mode 0600).
// On start one line: the URL and where the token is; with --json, {"url","token","tokenFile"}.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseConfig } from '../../core/config';
import { startGateway } from '../../core/gateway';
import { standaloneHost } from '../../core/gateway/standaloneHost';
import { defaultLedgerDir } from '../../core/ledger';
import { newToken } from '../../core/loopback/guard';
import { countOption, helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { CliIo } from '../io';
import { ledgerFromArgs, LEDGER_OPTION } from '../ledgerOption';
import { workspaceIdForFolder } from '../workspaceOption';
import { folderBudget } from './statusline';

const SPEC: Record<string, OptionSpec> = {
  port: { value: true, placeholder: 'N', description: 'Port on 127.0.0.1 (default: rightsize.gateway.port, 4242; 0 = any free port)' },
  host: { value: true, placeholder: 'ADDR', description: 'Loopback address to bind: 127.0.0.1 (default) or ::1. Nothing else is accepted' },
  ...LEDGER_OPTION,
  workspace: { value: true, placeholder: 'DIR', description: 'The project the requests belong to (default: the current directory)' },
  mode: { value: true, placeholder: 'MODE', description: 'auto | suggest | off for named models (rightsize-auto always routes)' },
  'ollama-host': { value: true, placeholder: 'URL', description: 'Ollama (default: $OLLAMA_HOST, else rightsize.ollama.host)' },
  'openai-base-url': { value: true, placeholder: 'URL', description: 'OpenAI-compatible endpoint for Rightsize\'s OpenAI key (default https://api.openai.com/v1)' },
  'anthropic-base-url': { value: true, placeholder: 'URL', description: 'Anthropic endpoint for Rightsize\'s Anthropic key (default https://api.anthropic.com)' },
  'cloud-models': { value: true, placeholder: 'IDS', description: 'Comma-separated cloud models Rightsize may route to (default: rightsize.cloudModels)' },
  'token-file': { value: true, placeholder: 'FILE', description: 'Where the gateway token is kept (default: beside the ledger\'s default folder)' },
  settings: { value: true, placeholder: 'FILE', description: 'VS Code settings.json to read rightsize.* from (default: VS Code\'s user settings, when found)' },
  'no-settings': { description: 'Read no settings file' },
  'deadline-seconds': { value: true, placeholder: 'S', description: 'Longest a request may take (default 600)' },
  json: { description: 'Print the start line as JSON: {"url","token","tokenFile"}' },
  help: { description: 'Show this help' },
};

export const serveHelp = helpText('rightsize serve [--port N] [--ledger DIR] [--json]',
  'Runs the loopback gateway in the foreground (Ctrl-C stops it). Point an agent at it:\n' +
  '  Claude Code: ANTHROPIC_BASE_URL=<url> ANTHROPIC_AUTH_TOKEN=<token> ANTHROPIC_MODEL=rightsize-auto claude\n' +
  '  Codex CLI:   a model provider with base_url = "<url>/v1", wire_api = "responses", env_key holding the token\n' +
  '  OpenAI-compatible clients (Cline, Continue, Aider): base URL <url>/v1, API key <token>, model rightsize-auto\n' +
  'Keys: OPENAI_API_KEY and ANTHROPIC_API_KEY are Rightsize\'s own; a client that sends its own key keeps using it,\n' +
  'for its provider\'s official endpoint only. Requests are recorded in the ledger (surface "gateway").', SPEC);

/** Where VS Code (and its forks) keep the user's settings.json on this platform. */
export function vscodeUserSettingsFiles(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string[] {
  const base = platform === 'darwin' ? path.join(home, 'Library', 'Application Support')
    : platform === 'win32' ? (env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
      : (env.XDG_CONFIG_HOME ?? path.join(home, '.config'));
  const files = ['Code', 'Code - Insiders', 'VSCodium', 'Cursor'].map((d) => path.join(base, d, 'User', 'settings.json'));
  if (platform === 'linux') files.push(path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'code-server', 'User', 'settings.json'));
  return files;
}

/** The rightsize.* keys of a settings file, relative to `rightsize.` (undefined when unreadable). */
export function readRightsizeSettings(file: string): Record<string, unknown> | undefined {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return undefined; }
  const all = parseJsonc(text, [], { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  if (!all || typeof all !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (k.startsWith('rightsize.')) out[k.slice('rightsize.'.length)] = v;
  return out;
}

/** OLLAMA_HOST as Ollama reads it: `host:port`, `0.0.0.0`, or a URL; a bind-all address means this machine. */
export function ollamaUrlFromEnv(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const withScheme = /^[a-z]+:\/\//i.test(v) ? v : `http://${v}`;
  try {
    const u = new URL(withScheme);
    if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
    if (!u.port && !/^[a-z]+:\/\/[^/]+:\d+/i.test(withScheme)) u.port = '11434';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/** The gateway token: RIGHTSIZE_GATEWAY_TOKEN, else the token file (created with a fresh token, 0600). */
function gatewayToken(env: NodeJS.ProcessEnv, file: string): { token: string; tokenFile: string | null } {
  const fromEnv = env.RIGHTSIZE_GATEWAY_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, tokenFile: null };
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing) return { token: existing, tokenFile: file };
  } catch { /* first start */ }
  const token = newToken('rsk-gw-');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, tokenFile: file };
}

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(serveHelp); return 0; }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const env = io.env;
  const home = os.homedir();

  // Settings: file < environment < flags.
  const settingsFile = args.options.has('no-settings') ? undefined
    : stringOption(args, 'settings') ?? vscodeUserSettingsFiles(env, process.platform, home).find((f) => fs.existsSync(f));
  const fileRaw = settingsFile ? readRightsizeSettings(settingsFile) : undefined;
  if (stringOption(args, 'settings') && !fileRaw) throw new UsageError(`cannot read --settings ${stringOption(args, 'settings')}`);
  const raw: Record<string, unknown> = { ...(fileRaw ?? {}) };
  const envOllama = ollamaUrlFromEnv(env.OLLAMA_HOST);
  if (envOllama) raw['ollama.host'] = envOllama;
  const flag = (name: string, key: string, map: (v: string) => unknown = (v) => v): void => {
    const v = stringOption(args, name);
    if (v !== undefined) raw[key] = map(v);
  };
  flag('ollama-host', 'ollama.host');
  flag('openai-base-url', 'openai.baseUrl');
  flag('anthropic-base-url', 'anthropic.baseUrl');
  flag('mode', 'mode');
  flag('cloud-models', 'cloudModels', (v) => v.split(',').map((s) => s.trim()).filter(Boolean));
  const port = countOption(args, 'port');
  if (port !== undefined && port !== 0) raw['gateway.port'] = port;
  const { config, errors } = parseConfig(raw);
  for (const e of errors) io.stderr.write(`rightsize serve: ${e}\n`);
  if (stringOption(args, 'mode') && errors.some((e) => e.startsWith('rightsize.mode'))) throw new UsageError('--mode must be auto, suggest or off');
  if (port !== undefined && port !== 0 && config.gateway.port !== port) throw new UsageError('--port must be 0 or from 1024 to 65535');

  const dir = path.resolve(stringOption(args, 'workspace') ?? process.cwd());
  const workspace = { id: workspaceIdForFolder(dir), name: path.basename(dir) || dir };
  const projectBudget = folderBudget(dir);
  if (projectBudget && Object.keys(projectBudget.limits).length > 0) config.budget = projectBudget;

  const ledger = ledgerFromArgs(args, io);
  const tokenFile = stringOption(args, 'token-file') ?? path.join(path.dirname(defaultLedgerDir(env, process.platform, home)), 'gateway-token');
  const { token, tokenFile: where } = gatewayToken(env, tokenFile);
  const session = `s-serve-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const deadline = countOption(args, 'deadline-seconds');
  const host = standaloneHost({
    config, ledger, workspace, session,
    keys: { openai: env.OPENAI_API_KEY?.trim() || undefined, anthropic: env.ANTHROPIC_API_KEY?.trim() || undefined },
    log: (line) => { if (env.RIGHTSIZE_SERVE_VERBOSE) io.stderr.write(`${line}\n`); },
    onRecord: (r) => io.stderr.write(`${r.ts.slice(11, 19)} ${r.client ?? '?'} -> ${r.model.id} (${r.decision.mode}) ${r.outcome} ${r.tokens.input}+${r.tokens.output} tok\n`),
  });
  const gateway = await startGateway(host.deps, {
    port: port === 0 ? 0 : config.gateway.port, host: stringOption(args, 'host') ?? '127.0.0.1', token,
    ...(deadline ? { deadlineMs: deadline * 1000 } : {}),
    autoAliases: ['rightsize-auto', 'rightsize', 'rightsize/auto', ...config.gateway.autoModelAliases],
  });
  const models = await host.discover();
  if (args.options.has('json')) io.stdout.write(`${JSON.stringify({ url: gateway.url, token, tokenFile: where })}\n`);
  else io.stdout.write(`Rightsize gateway on ${gateway.url} — token ${where ? `in ${where}` : 'from RIGHTSIZE_GATEWAY_TOKEN'}; Ctrl-C stops it\n`);
  io.stderr.write(`rightsize serve: ${models.length} models (${host.ollamaMessage}); ledger ${ledger.dir}; workspace ${workspace.name}${settingsFile && fileRaw ? `; settings from ${settingsFile}` : ''}\n`);

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stderr.write(`rightsize serve: ${signal}, stopping\n`);
      void gateway.close().then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
