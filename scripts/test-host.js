#!/usr/bin/env node
// `npm run test:host`: builds, compiles the tests, installs the VS Code host when missing
// (scripts/vscode-host-setup.js), then runs the in-host suite (test/suite) in a real VS Code extension
// host (VS Code server + headless Chromium). Same output and exit code as `npm test`, for one tier.
// Usage: node scripts/test-host.js [--workbench | --all]
//   --workbench  run the workbench scenarios (test/workbench) instead
//   --all        run both
'use strict';
const path = require('path');
const args = process.argv.slice(2);
const only = args.includes('--all') ? 'host,workbench' : args.includes('--workbench') ? 'workbench' : 'host';
const rest = args.filter((a) => a !== '--all' && a !== '--workbench');
process.argv = [process.argv[0], path.join(__dirname, 'test-all.js'), '--only', only, ...rest];
require('./test-all.js');
