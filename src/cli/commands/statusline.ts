// rightsize statusline: one short line for a shell prompt or Claude Code's status line — today's
// tokens, Wh and dollars, and how much of the tightest budget is used — from the status line's cache of
// those totals when it is current (a small file; records appended since are read on from where it
// stopped: ../statuslineTotals.ts), else from the rollups (the ledger is scanned only past what they
// cover), which rewrite the cache.
//
// The workspace: --workspace, else the folder Claude Code names in the JSON it pipes to status-line
// commands (`workspace.current_dir`, or `cwd`), else the current directory; the folder or its nearest
// ancestor that the ledger knows as a workspace. None known: all workspaces. Budgets come from that
// folder's committed `.vscode/settings.json` (rightsize.budget.*), as the extension reads them.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseJsonc } from 'jsonc-parser';
import { parseBudgetPolicy } from '../../core/budget/budgetConfig';
import { formatAmount, formatTokens, formatUsd, formatWh, formatGrams, formatPercent } from '../../core/format';
import type { PeriodUsage } from '../../core/report/buildReport';
import type { BudgetPolicy, BudgetUnit } from '../../core/types';
import { helpText, OptionSpec, parseArgs, stringOption, UsageError } from '../args';
import { CliIo, writeOut } from '../io';
import { bundled } from '../bundled';
import { ledgerDirFromArgs, LEDGER_OPTION } from '../ledgerOption';
import { cachedTotals, StatuslineTotals } from '../statuslineTotals';
import { workspaceIdForFolder } from '../workspaceOption';

const SPEC: Record<string, OptionSpec> = {
  workspace: { value: true, placeholder: 'ID|DIR', description: 'This workspace (id or folder) instead of the one found from Claude Code\'s input or the current directory' },
  all: { description: 'All workspaces' },
  format: { value: true, placeholder: 'TEMPLATE', description: 'e.g. "{tokens} · {wh} · {usd} · {budget}"; also {gco2e} {requests} {workspace}' },
  json: { description: 'Print {workspace:{id,name}|null, day:{requests,tokens,wh,usd,gco2e}, budget:{period,unit,used,limit,fraction}|null}' },
  ...LEDGER_OPTION,
  help: { description: 'Show this help' },
};

export const statuslineHelp = helpText('rightsize statusline [--workspace ID|DIR] [--format T] [--json]',
  'One line: today\'s tokens, Wh and USD, and the tightest budget\'s use. For Claude Code, set\n"statusLine": {"type": "command", "command": "rightsize statusline"} in its settings.', SPEC);

const DEFAULT_FORMAT = 'today {tokens} tok · {wh} · {usd}{budget: · }';

interface BudgetUse { period: 'day' | 'week' | 'month'; unit: BudgetUnit; used: number; limit: number; fraction: number }

/** What stdin (a stream) delivers within 150 ms; undefined for a terminal. */
async function readStreamBriefly(io: CliIo): Promise<string | undefined> {
  const stdin = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean };
  if (stdin.isTTY) return undefined;
  return new Promise<string>((resolve) => {
    let buf = '';
    const done = (): void => { clearTimeout(timer); stdin.removeAllListeners('data'); resolve(buf); };
    const timer = setTimeout(done, 150);
    stdin.on('data', (c) => { buf += String(c); if (buf.length > 1 << 20) done(); });
    stdin.once('end', done);
    stdin.once('error', done);
  });
}

/** Claude Code's status-line input, when stdin is a pipe that delivers it promptly. */
async function claudeInputDir(io: CliIo): Promise<string | undefined> {
  const text = io.readStdinBriefly ? await io.readStdinBriefly(150, 1 << 20) : await readStreamBriefly(io);
  if (text === undefined) return undefined;
  try {
    const j = JSON.parse(text) as { workspace?: { current_dir?: unknown; project_dir?: unknown }; cwd?: unknown };
    const dir = j.workspace?.project_dir ?? j.workspace?.current_dir ?? j.cwd;
    return typeof dir === 'string' ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The workspace folder for `dir`: the nearest ancestor (or itself) the ledger knows as a workspace,
 * else the nearest project root (.vscode or .git), else none.
 */
function findWorkspaceFolder(dir: string, known: (id: string) => boolean): { folder: string; id: string } | undefined {
  let root: { folder: string; id: string } | undefined;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const id = workspaceIdForFolder(d);
    if (known(id)) return { folder: d, id };
    if (!root && (fs.existsSync(path.join(d, '.vscode')) || fs.existsSync(path.join(d, '.git')))) root = { folder: d, id };
    if (path.dirname(d) === d) return root;
  }
}

export function folderBudget(folder: string | undefined): BudgetPolicy | undefined {
  if (!folder) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(path.join(folder, '.vscode', 'settings.json'), 'utf8');
  } catch {
    return undefined;
  }
  const settings = parseJsonc(text, [], { allowTrailingComma: true }) as Record<string, unknown> | undefined;
  if (!settings || typeof settings !== 'object') return undefined;
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) if (k.startsWith('rightsize.budget.')) raw[k.slice('rightsize.budget.'.length)] = v;
  return parseBudgetPolicy(raw).policy;
}

/** The totals from the rollups (its own bundle when shipped: most runs find the cache current and skip it). */
async function fromRollups(ledgerDir: string, now: Date, io: CliIo): Promise<StatuslineTotals> {
  const m = process.env.RIGHTSIZE_BUNDLED ? bundled<typeof import('../statuslineRollups')>('statusline-rollups') : await import('../statuslineRollups');
  return m.totalsFromRollups(ledgerDir, now, (msg) => io.stderr.write(`rightsize: ledger: ${msg}\n`));
}

function tightest(policy: BudgetPolicy | undefined, usage: Record<'day' | 'week' | 'month', PeriodUsage>): BudgetUse | undefined {
  let best: BudgetUse | undefined;
  for (const period of ['day', 'week', 'month'] as const) {
    for (const [unit, limit] of Object.entries(policy?.limits[period] ?? {}) as Array<[BudgetUnit, number]>) {
      if (!(limit > 0)) continue;
      const used = usage[period][unit];
      const fraction = used / limit;
      if (!best || fraction > best.fraction) best = { period, unit, used, limit, fraction };
    }
  }
  return best;
}

const amount = (unit: BudgetUnit, v: number): string => formatAmount(unit, v, { tokens: 'compact', tokenWord: 'tok' });

export async function statuslineCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.options.has('help')) { io.stdout.write(statuslineHelp); return 0; }
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const ledgerDir = ledgerDirFromArgs(args, io);
  const wsArg = stringOption(args, 'workspace');
  const allWorkspaces = args.options.has('all');
  const dir = wsArg ?? (allWorkspaces ? undefined : await claudeInputDir(io)) ?? process.cwd(); // --all needs no workspace
  const now = new Date();
  const totals = await cachedTotals(ledgerDir, now) ?? await fromRollups(ledgerDir, now, io);
  const known = totals.known();
  const found = allWorkspaces ? undefined : known.has(dir) ? { folder: undefined, id: dir } : findWorkspaceFolder(dir, (id) => known.has(id));
  const usage = totals.periodsFor(found?.id);
  const budget = tightest(folderBudget(found?.folder), usage);
  if (args.options.has('json')) {
    writeOut(io, JSON.stringify({ workspace: found ? { id: found.id, name: known.get(found.id) ?? null } : null, day: usage.day, budget: budget ?? null }) + '\n');
    return 0;
  }
  const d = usage.day;
  const values: Record<string, string> = {
    tokens: formatTokens(d.tokens), wh: formatWh(d.wh), usd: formatUsd(d.usd), gco2e: formatGrams(d.gco2e), requests: String(d.requests),
    workspace: found ? known.get(found.id) ?? found.id : 'all workspaces',
    budget: budget ? `${formatPercent(budget.fraction)} of ${amount(budget.unit, budget.limit)}/${budget.period}` : '',
  };
  const line = (stringOption(args, 'format') ?? DEFAULT_FORMAT).replace(/\{(\w+)(?::([^}]*))?\}/g, (all, key: string, prefix?: string) => {
    if (!(key in values)) return all;
    return values[key] ? `${prefix ?? ''}${values[key]}` : '';
  });
  writeOut(io, `${line}\n`);
  return 0;
}
