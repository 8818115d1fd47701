// The router's calibration data (shared/router-data, see its README): where it is, and its rows as the
// requests the router sees. The data is public but licensed for calibration, not redistribution: it is read
// from beside the repository, never copied into it.
//
// Where the data is looked for, first hit wins:
//   1. $RIGHTSIZE_ROUTER_DATA (a directory holding the files below);
//   2. <repository root>/../shared/router-data — CI clones the repository into a folder with a copy of
//      shared/ beside it, and a developer's main checkout (/work/main) has /work/shared beside it;
//   3. for a git worktree (its `.git` is a file pointing into the main checkout's .git/worktrees/), the
//      main checkout's ../shared/router-data.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ChatRequest } from '../../src/core/types';

export const DATA_FILES = {
  adaptive: 'adaptive-train.jsonl',
  swebench: 'swebench-verified.jsonl',
} as const;
export type SetName = keyof typeof DATA_FILES;
export const SET_NAMES: readonly SetName[] = ['adaptive', 'swebench'];

/** The repository root (eval/router/ compiled to out/eval/router/ or run from source). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'src', 'core'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the repository root above ${__dirname}`);
}

export interface DataLocation { dir?: string; tried: string[] }

/** `onlyEnv`: look only where the environment says (a `--data` argument). */
export function findRouterData(root: string = repoRoot(), env: NodeJS.ProcessEnv = process.env, opts: { onlyEnv?: boolean } = {}): DataLocation {
  const tried: string[] = [];
  const candidates: string[] = [];
  if (env.RIGHTSIZE_ROUTER_DATA) candidates.push(path.resolve(env.RIGHTSIZE_ROUTER_DATA));
  if (!opts.onlyEnv) {
    candidates.push(path.resolve(root, '..', 'shared', 'router-data'));
    const main = mainCheckoutOf(root);
    if (main && main !== root) candidates.push(path.resolve(main, '..', 'shared', 'router-data'));
  }
  for (const dir of candidates) {
    tried.push(dir);
    if (Object.values(DATA_FILES).every((f) => fs.existsSync(path.join(dir, f)))) return { dir, tried };
  }
  return { tried };
}

/** The main checkout of a git worktree (`.git` is a file: `gitdir: <main>/.git/worktrees/<name>`). */
function mainCheckoutOf(root: string): string | undefined {
  try {
    const dotGit = path.join(root, '.git');
    if (!fs.statSync(dotGit).isFile()) return undefined;
    const m = /^gitdir:\s*(.+)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    if (!m) return undefined;
    const gitdir = path.resolve(root, m[1].trim());
    const i = gitdir.lastIndexOf(`${path.sep}.git${path.sep}worktrees${path.sep}`);
    return i >= 0 ? gitdir.slice(0, i) : undefined;
  } catch {
    return undefined;
  }
}

export interface EvalRow {
  set: SetName;
  id: string;
  /** humaneval / leetcode / codecontests, or the repository (django/django). */
  subset: string;
  /** The README's tier scale: the smallest open-weight model that solved it (3: none <= 34B did). */
  tier: number;
  /** SWE-bench: keys of the runs that resolved the issue. */
  resolvedBy?: string[];
  request: ChatRequest;
}

export interface LoadedSet { set: SetName; file: string; sha256: string; rows: EvalRow[] }

interface RawRow {
  id: string; tier: number; dataset?: string; repo?: string; resolvedBy?: string[];
  messages: Array<{ role: 'user' | 'assistant' | 'system'; content: string }>;
}

export function loadSet(dir: string, set: SetName): LoadedSet {
  const file = path.join(dir, DATA_FILES[set]);
  const raw = fs.readFileSync(file);
  const rows: EvalRow[] = [];
  const lines = raw.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let r: RawRow;
    try {
      r = JSON.parse(line) as RawRow;
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    if (typeof r.id !== 'string' || !Number.isInteger(r.tier) || !Array.isArray(r.messages)) throw new Error(`${file}:${i + 1}: missing id, tier or messages`);
    rows.push({
      set,
      id: r.id,
      subset: r.dataset ?? r.repo ?? set,
      tier: r.tier,
      resolvedBy: r.resolvedBy,
      // Route on `messages` only (the README): everything else is a label.
      request: {
        id: `eval-${set}-${r.id}`,
        messages: r.messages.map((m) => ({ role: m.role, content: m.content })),
        surface: 'chat',
        workspace: { id: 'eval', name: 'eval' },
        session: 'eval',
      },
    });
  }
  return { set, file: DATA_FILES[set], sha256: createHash('sha256').update(raw).digest('hex'), rows };
}

/** Why the evaluation cannot run, for the message printed in place of results. */
export function missingDataMessage(loc: DataLocation): string {
  return `router data not found (looked in ${loc.tried.join(', ')}); set RIGHTSIZE_ROUTER_DATA to the folder holding ${Object.values(DATA_FILES).join(' and ')}`;
}
