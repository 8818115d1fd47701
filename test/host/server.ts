// Shared machinery of the in-host and workbench tiers: a real VS Code server (from the `code-server`
// npm package, installed by scripts/vscode-host-setup.js) on a free loopback port, headless Chromium
// driven by playwright-core, temporary folders, and cleanup of every process we start.
// Recipe: /work/shared/vscode-host-recipe.md.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const OUTPUT_ROOT = path.join(REPO_ROOT, '.test-output');
export const WORKSPACE_TEMPLATE = path.join(REPO_ROOT, 'test', 'host', 'workspace');

/** Paths of the installed host, as computed by scripts/vscode-host-setup.js. */
export interface HostPaths {
  readonly dir: string;
  readonly nodeBin: string;
  readonly serverMain: string;
  readonly codeServerDir: string;
}

interface SetupModule {
  hostPaths(): HostPaths;
  isInstalled(p: HostPaths): boolean;
  VSCODE_VERSION: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const setup = require(path.join(REPO_ROOT, 'scripts', 'vscode-host-setup.js')) as SetupModule;

export function installedHost(): HostPaths {
  const p = setup.hostPaths();
  if (!setup.isInstalled(p)) {
    throw new Error(`The VS Code host is not installed in ${p.dir}. Run: node scripts/vscode-host-setup.js`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every process and temporary folder is registered here and removed on exit, on signals
// and on the overall timeout.

type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

/** Runs `body`, then every cleanup registered while it ran (newest first), even when it throws. */
export async function withCleanupScope<T>(body: () => Promise<T>): Promise<T> {
  const mark = cleanups.length;
  try {
    return await body();
  } finally {
    while (cleanups.length > mark) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (e) {
        process.stderr.write(`cleanup step failed: ${String(e)}\n`);
      }
    }
  }
}

export function cleanupAll(): Promise<void> {
  if (!cleaning) {
    cleaning = (async () => {
      while (cleanups.length) {
        const fn = cleanups.pop()!;
        try {
          await fn();
        } catch (e) {
          process.stderr.write(`cleanup step failed: ${String(e)}\n`);
        }
      }
    })();
  }
  return cleaning;
}

/** Kills a process started with `detached: true` together with its children (its process group). */
export function killTree(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Stops a detached process group: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopTree(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    // The leader is gone; its group may still have members (e.g. the extension host).
    if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none left */ }
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killTree(child, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') killTree(child, 'SIGKILL');
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group already empty */ }
}

let signalsInstalled = false;
/** On SIGINT/SIGTERM: clean up, then exit with 130/143; on an uncaught error: report, clean up, exit 1.
 *  (The server runs in its own process group, so nothing else would stop it if this process died.) */
export function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const fatal = (what: string) => (err: unknown): void => {
    process.stderr.write(`\n✘ ${what}: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    void cleanupAll().finally(() => process.exit(1));
  };
  process.on('uncaughtException', fatal('uncaught exception in the test runner'));
  process.on('unhandledRejection', fatal('unhandled rejection in the test runner'));
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nreceived ${sig}: stopping the VS Code server and the browser\n`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}

/** Fails the run clearly (and cleans up) when it takes longer than `ms`. */
export function overallTimeout(ms: number, what: string): NodeJS.Timeout {
  const t = setTimeout(() => {
    process.stderr.write(`\n✘ ${what} timed out after ${Math.round(ms / 1000)} s; stopping everything.\n`);
    void cleanupAll().finally(() => process.exit(124));
  }, ms);
  t.unref();
  return t;
}

// ---------------------------------------------------------------------------------------------
// Folders

export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rightsize-${prefix}-`));
  if (!process.env.RIGHTSIZE_KEEP_TEMP) onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  else onCleanup(() => void process.stdout.write(`kept temporary folder ${dir}\n`));
  return dir;
}

/** A fresh copy of test/host/workspace. */
export function copyWorkspace(parent: string): string {
  const dir = path.join(parent, 'workspace');
  fs.cpSync(WORKSPACE_TEMPLATE, dir, { recursive: true });
  return dir;
}

/** Merges `settings` into a JSON settings file (creating it). Files must be plain JSON. */
export function mergeSettings(file: string, settings: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const current = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2));
}

/** An append-only log file whose writes after `close()` are dropped (browser events can arrive late). */
export interface LogFile {
  write(text: string | Buffer): void;
  close(): void;
}

export function openLog(file: string): LogFile {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let fd: number | undefined = fs.openSync(file, 'a');
  const log: LogFile = {
    write(text) {
      if (fd === undefined) return;
      try {
        if (typeof text === 'string') fs.writeSync(fd, text);
        else fs.writeSync(fd, text);
      } catch {
        // a full disk must not fail a test run
      }
    },
    close() {
      if (fd === undefined) return;
      const f = fd;
      fd = undefined;
      try { fs.closeSync(f); } catch { /* already closed */ }
    },
  };
  onCleanup(() => log.close());
  return log;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The VS Code server

export interface ServerOptions {
  /** Extra environment for the server and hence the extension host (which inherits it). */
  readonly env?: Record<string, string>;
  /** Where the server's output goes (appended). */
  readonly logFile: string;
  /** Parent folder for the server's extensions and data folders. */
  readonly tempDir: string;
  readonly startTimeoutMs?: number;
  /** Keep VS Code's workspace trust on (the folder then opens untrusted unless trusted before). Default off. */
  readonly workspaceTrust?: boolean;
}

export interface RunningServer {
  readonly port: number;
  /** e.g. http://localhost:PORT (the host name the server prints and the workbench expects). */
  readonly baseUrl: string;
  readonly extensionsDir: string;
  /** --server-data-dir */
  readonly serverDataDir: string;
  /** --user-data-dir: `User/settings.json` inside it holds the user settings. */
  readonly userDataDir: string;
  readonly process: ChildProcess;
  /** Calls `listener` with every chunk the server prints from now on. */
  onOutput(listener: (text: string) => void): void;
  stop(): Promise<void>;
  /** Resource URI (vscode-remote://…) of a local absolute path, for payloads. */
  remoteUri(absPath: string): string;
}

/** The folders a server will use, known before it starts (so user settings can be written first). */
export function serverDirs(tempDir: string): { extensionsDir: string; serverDataDir: string; userDataDir: string } {
  return {
    extensionsDir: path.join(tempDir, 'extensions'),
    serverDataDir: path.join(tempDir, 'server-data'),
    userDataDir: path.join(tempDir, 'user-data'),
  };
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = installedHost();
  const port = await freePort();
  const { extensionsDir, serverDataDir, userDataDir } = serverDirs(opts.tempDir);
  for (const d of [extensionsDir, serverDataDir, userDataDir]) fs.mkdirSync(d, { recursive: true });
  const log = openLog(opts.logFile); // registered before the server: closed after it stops
  const outputListeners: Array<(text: string) => void> = [];
  const args = [
    host.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--disable-telemetry',
    '--enable-smoke-test-driver',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--extensions-dir', extensionsDir,
    '--server-data-dir', serverDataDir,
    '--user-data-dir', userDataDir,
  ];
  const child = spawn(host.nodeBin, args, {
    cwd: opts.tempDir,
    env: { ...process.env, ...opts.env, VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: the extension host and friends die with it
  });
  const stop = async (): Promise<void> => {
    await stopTree(child);
  };
  onCleanup(stop);

  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err); else resolve();
    };
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      if (outputListeners.length) {
        const text = chunk.toString('utf8');
        for (const l of outputListeners) l(text);
      }
      if (done) return;
      buffered += chunk.toString('utf8');
      if (/Web UI available at http:\/\/[^:\s]+:\d+/.test(buffered)) finish();
      if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => finish(new Error(`could not start the VS Code server: ${e.message}`)));
    child.once('exit', (code, signal) => finish(new Error(
      `the VS Code server exited before it was ready (code ${code}, signal ${signal}). Its output:\n${tail(buffered, 40)}`)));
    const timer = setTimeout(() => finish(new Error(
      `the VS Code server was not ready after ${timeoutMs / 1000} s. Its output so far:\n${tail(buffered, 40)}`)), timeoutMs);
  });
  const baseUrl = `http://localhost:${port}`;
  return {
    port, baseUrl, extensionsDir, serverDataDir, userDataDir, process: child, stop,
    onOutput: (l) => void outputListeners.push(l),
    remoteUri: (p) => `vscode-remote://localhost:${port}${encodeURI(p)}`,
  };
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** The workbench URL that opens `folder` with the given development payload. */
export function workbenchUrl(server: RunningServer, folder: string, payload: Array<[string, string]>): string {
  const all: Array<[string, string]> = [...payload];
  if (!all.some(([k]) => k === 'skipWelcome')) all.push(['skipWelcome', 'true']);
  return `${server.baseUrl}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(all))}`;
}

// ---------------------------------------------------------------------------------------------
// Chromium

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];

// eslint-disable-next-line @typescript-eslint/no-require-imports
const prereqs = require(path.join(REPO_ROOT, 'scripts', 'system-prereqs.js')) as { CHROMIUM_CANDIDATES: string[] };

export function chromiumPath(): string {
  const candidates = [process.env.RIGHTSIZE_CHROMIUM, ...prereqs.CHROMIUM_CANDIDATES]
    .filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`no Chromium found (tried ${candidates.join(', ')}). Run: node scripts/system-prereqs.js`);
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  onCleanup(async () => {
    await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
  });
  return browser;
}

/** A new page whose console and page errors go to `logFile` (and to stdout with RIGHTSIZE_VERBOSE=1). */
export async function openLoggedPage(browser: Browser, logFile: string, opts: { viewport?: { width: number; height: number }; indent?: string } = {}): Promise<Page> {
  const log = openLog(logFile); // closed after the browser
  const page = await browser.newPage(opts.viewport ? { viewport: opts.viewport } : {});
  const verbose = Boolean(process.env.RIGHTSIZE_VERBOSE);
  page.on('console', (msg) => {
    const line = `[${msg.type()}] ${msg.text()}\n`;
    log.write(line);
    if (verbose) process.stdout.write(`${opts.indent ?? '  '}browser ${line}`);
  });
  page.on('pageerror', (err) => log.write(`[pageerror] ${err.stack ?? err.message}\n`));
  return page;
}
