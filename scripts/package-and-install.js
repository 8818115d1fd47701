#!/usr/bin/env node
// Builds the production bundle, packages rightsize-<version>.vsix with @vscode/vsce, and installs it
// into VS Code when the `code` command is on PATH (otherwise prints the .vsix path and how to install).
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const vsix = path.join(root, `${pkg.name}-${pkg.version}.vsix`);

function run(cmd, args) {
  process.stdout.write(`> ${cmd} ${args.join(' ')}\n`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}

run(process.execPath, [path.join(root, 'esbuild.js'), '--production']);
run(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', vsix]);
const sizeMb = fs.statSync(vsix).size / 1024 / 1024;
process.stdout.write(`Built ${vsix} (${sizeMb.toFixed(2)} MB)\n`);

const noInstall = process.argv.includes('--no-install');
const code = noInstall ? null : spawnSync(process.platform === 'win32' ? 'where' : 'which', ['code'], { encoding: 'utf8' });
if (code && code.status === 0 && code.stdout.trim()) {
  run('code', ['--install-extension', vsix, '--force']);
  process.stdout.write('Installed into VS Code. Reload the window, then pick “Rightsize Auto” in the chat model picker.\n');
} else {
  process.stdout.write(`The \`code\` command is not on PATH, so nothing was installed.\nInstall it yourself: code --install-extension ${vsix}\n(or in VS Code: Extensions view › … › Install from VSIX…)\n`);
}
