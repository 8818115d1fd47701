#!/usr/bin/env node
// Lists the functions under a folder (default src/) by length in lines, longest first, with the TypeScript
// compiler API: function declarations, methods, constructors, accessors, function expressions and arrow
// functions with a block body. A function's length is from its first to its last line; a function nested in
// another counts in both.
//
// Usage: node scripts/longest-functions.js [--dir src] [--top 10] [--max 80]
//   --top N   how many rows (default 10; 0 for all)
//   --max N   exit 1 when any function is longer than N lines (and list those)
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

function parseArgs(argv) {
  const opts = { dir: 'src', top: 10, max: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') opts.dir = argv[++i];
    else if (a === '--top') opts.top = Number(argv[++i]);
    else if (a === '--max') opts.max = Number(argv[++i]);
    else {
      console.error(`usage: longest-functions.js [--dir src] [--top 10] [--max 80]; got ${JSON.stringify(a)}`);
      process.exit(2);
    }
  }
  return opts;
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function functionName(node, sf) {
  if (node.name) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) {
    return parent.name.getText(sf);
  }
  if (parent && ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(sf).replace(/\s+/g, " ").slice(0, 40)})`;
  return '(anonymous)';
}

function isFunction(node) {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)
    || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node) || ts.isFunctionExpression(node)
    || (ts.isArrowFunction(node) && ts.isBlock(node.body));
}

function functionsIn(file) {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (isFunction(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      found.push({ file, line: first, lines: last - first + 1, name: functionName(node, sf) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const root = path.resolve(opts.dir);
  const all = sourceFiles(root).flatMap(functionsIn).sort((a, b) => b.lines - a.lines);
  const rows = opts.top > 0 ? all.slice(0, opts.top) : all;
  const rel = (f) => path.relative(process.cwd(), f);
  for (const r of rows) console.log(`${String(r.lines).padStart(4)}  ${rel(r.file)}:${r.line}  ${r.name}`);
  if (opts.max !== undefined) {
    const over = all.filter((r) => r.lines > opts.max);
    console.log(over.length ? `${over.length} function(s) longer than ${opts.max} lines` : `no function longer than ${opts.max} lines`);
    if (over.length) process.exitCode = 1;
  }
}

main();
