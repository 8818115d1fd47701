// The packaged extension, as users install it: builds the production bundle, packages the .vsix with
// @vscode/vsce (the same two steps as `npm run package`, scripts/package-and-install.js) into
// .test-output/workbench/vsix/, once per run, and installs it into a VS Code server's extensions folder with
// the server's own CLI (`server-main.js --install-extension`), as `code --install-extension` does.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { installedHost, OUTPUT_ROOT, REPO_ROOT } from '../host/server';

let packaged: string | undefined;

/** Path of the freshly packaged .vsix (built on the first call of the run). */
export function packagedVsix(log: (m: string) => void = () => undefined): string {
  if (packaged) return packaged;
  const dir = path.join(OUTPUT_ROOT, 'workbench', 'vsix');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'rightsize.vsix');
  const run = (args: string[]): void => { execFileSync(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }); };
  run([path.join(REPO_ROOT, 'esbuild.js'), '--production']);
  run([require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', file]);
  log(`packaged ${path.relative(REPO_ROOT, file)} (${(fs.statSync(file).size / 2 ** 20).toFixed(2)} MB)`);
  return (packaged = file);
}

/** Installs the .vsix into `extensionsDir` (before the server starts); returns the installed folder. */
export function installVsix(vsix: string, extensionsDir: string): string {
  const host = installedHost();
  fs.mkdirSync(extensionsDir, { recursive: true });
  const out = execFileSync(host.nodeBin, [host.serverMain, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--accept-server-license-terms'], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined } as NodeJS.ProcessEnv,
  });
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const folder = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  if (!fs.existsSync(path.join(folder, 'package.json'))) throw new Error(`installing ${vsix} did not create ${folder}: ${out}`);
  return folder;
}
