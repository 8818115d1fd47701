#!/usr/bin/env node
// Regenerates docs/energy-model.md from the code (src/core/energy/doc/modelDoc.ts, compiled to out/).
// Usage: npm run docs:energy        (compiles, then writes the file)
//        node scripts/gen-energy-doc.js --check   (exit 1 if the checked-in file differs)
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const target = path.join(root, 'docs', 'energy-model.md');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderEnergyModelDoc } = require(path.join(root, 'out', 'src', 'core', 'energy', 'doc', 'modelDoc.js'));
const text = renderEnergyModelDoc();

if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error('docs/energy-model.md is out of date: run `npm run docs:energy`');
    process.exit(1);
  }
  console.log('docs/energy-model.md is up to date');
} else {
  fs.writeFileSync(target, text);
  console.log(`wrote ${path.relative(root, target)} (${text.length} characters)`);
}
