// Trims a captured JSON-lines log (or one JSON body) for a test fixture: lines up to 4 KB verbatim; longer
// lines keep every key, with string values longer than 300 characters cut (marked "…[trimmed]").
// Usage: node scripts/trim-log-fixture.js captured.jsonl fixture.jsonl
'use strict';
const fs = require('fs');
const [src, dst] = process.argv.slice(2);
const cut = (v) => typeof v === 'string' ? (v.length > 300 ? v.slice(0, 300) + '…[trimmed]' : v) : Array.isArray(v) ? v.map(cut) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)])) : v;
const out = fs.readFileSync(src, 'utf8').split('\n').filter(Boolean).map((l) => l.length <= 4096 ? l : JSON.stringify(cut(JSON.parse(l))));
fs.writeFileSync(dst, out.join('\n') + '\n');
