// `npm run bench [-- --json] [-- --only NAME]`: runs every suite under bench/ named *.bench.ts.
import * as fs from 'fs';
import * as path from 'path';
import { BenchSuite, FigureResult, judge } from './harness';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.js')).sort();
  const results: Record<string, FigureResult[]> = {};
  let failed = 0;
  for (const file of files) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const suite = (require(path.join(__dirname, file)) as { suite: BenchSuite }).suite;
    if (!suite || (only && suite.name !== only)) continue;
    const figures = (await suite.run()).map(judge);
    results[suite.name] = figures;
    if (!json) {
      process.stdout.write(`\n== ${suite.name}\n`);
      for (const f of figures) {
        const target = f.target ? ` (target ${f.target.op} ${f.target.value} ${f.unit}: ${f.pass ? 'PASS' : 'FAIL'})` : '';
        const base = f.baseline ? `; baseline ${f.baseline.name} = ${fmt(f.baseline.value)}, ratio ${fmt(f.ratio ?? NaN)}` : '';
        process.stdout.write(`  ${f.name}: ${fmt(f.value)} ${f.unit}${target}${base}${f.note ? ` — ${f.note}` : ''}\n`);
      }
    }
    failed += figures.filter((f) => f.pass === false).length;
  }
  const payload = { machine: { node: process.version, cpus: require('os').cpus().length }, results, failedTargets: failed };
  if (json) process.stdout.write(JSON.stringify(payload, null, 2) + '\n');
  else process.stdout.write(`\nJSON: ${JSON.stringify(payload)}\n${failed} target(s) missed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
