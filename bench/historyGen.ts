// A generated ledger history for the benchmarks and for trying the reports by hand: `count` records
// spread over the `days` before `end` (test/util/recordFactory.ts: realistic tokens, models, workspaces,
// modes, outcomes and counterfactuals, deterministic for a seed), written as monthly JSONL files the
// way the ledger names them, in big appends.
//
//   npm run bench:history -- --dir /tmp/rs-year [--records 500000] [--days 365] [--seed 42] [--end ISO]
//   then: node dist/cli.js report monthly --ledger /tmp/rs-year --since all
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { ledgerFileName, serializeRecord } from '../src/core/ledger';
import { generateHistoryChunks } from '../test/util/recordFactory';

export interface WrittenHistory { ms: number; bytes: number; files: number }

/** Writes `count` records as monthly JSONL files in big chunks (one append per file per chunk). */
export function writeHistory(dir: string, count: number, days: number, end: Date, seed = 42): WrittenHistory {
  const t0 = performance.now();
  let bytes = 0;
  const names = new Set<string>();
  fs.mkdirSync(dir, { recursive: true });
  for (const chunk of generateHistoryChunks({ count, days, end, seed }, 20_000)) {
    const groups = new Map<string, string[]>();
    for (const r of chunk) {
      const name = ledgerFileName(Date.parse(r.ts));
      let g = groups.get(name);
      if (!g) groups.set(name, (g = []));
      g.push(serializeRecord(r));
    }
    for (const [name, lines] of groups) {
      const text = lines.join('\n') + '\n';
      bytes += Buffer.byteLength(text);
      names.add(name);
      fs.appendFileSync(path.join(dir, name), text);
    }
  }
  return { ms: performance.now() - t0, bytes, files: names.size };
}

function main(argv: string[]): void {
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dir = opt('dir');
  if (!dir || argv.includes('--help')) {
    process.stdout.write('usage: npm run bench:history -- --dir DIR [--records 500000] [--days 365] [--seed 42] [--end ISO-DATE]\n');
    process.exitCode = dir ? 0 : 2;
    return;
  }
  if (fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.endsWith('.jsonl'))) {
    process.stderr.write(`${dir} already holds ledger files; choose an empty directory\n`);
    process.exitCode = 1;
    return;
  }
  const count = Number(opt('records') ?? 500_000);
  const days = Number(opt('days') ?? 365);
  const end = opt('end') ? new Date(opt('end')!) : new Date();
  if (!(count > 0) || !(days > 0) || !Number.isFinite(end.getTime())) {
    process.stderr.write('--records and --days must be positive numbers and --end a date\n');
    process.exitCode = 2;
    return;
  }
  const w = writeHistory(dir, count, days, end, Number(opt('seed') ?? 42));
  process.stdout.write(`${count} records over ${days} days to ${end.toISOString()}: ${(w.bytes / 1024 / 1024).toFixed(0)} MB in ${w.files} files, ${dir} (${(w.ms / 1000).toFixed(1)} s)\n`);
}

if (require.main === module) main(process.argv.slice(2));
