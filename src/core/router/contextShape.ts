// The shape of a request's pasted context, measured without reading it for task words: how much code, how
// many files, stack traces, diff hunks, error lines, problem constraints and attachments. The router's
// difficulty model reads these numbers; the words that say what to do come from the instruction alone
// (envelope.ts).
//
// One pass over the lines of each piece; pieces are measured up to MAX_SHAPE_SCAN_CHARS in total (the
// numbers of a huge paste are what its first 200k characters show), so a decision stays cheap on a
// 17k-token Agent request.
import { hasStackTrace } from './taskClassifier';

/** Numbers describing a request's pasted context (see each field). All are counts except `chars`. */
export interface ContextShape {
  /** Characters of context (attachments, pasted code/logs, tool results of this turn, FIM prefix+suffix). */
  chars: number;
  /** Lines of code: lines inside ``` fences, attachments, `<file>` blocks and code-like tool results. */
  codeLines: number;
  /** Fenced code blocks, attachments and `<file>` blocks. */
  codeBlocks: number;
  /** Distinct file names in the instruction and attachment paths (`app.js`, `src/a/b.ts`), or a count the
   * instruction states ("these 6 files"), whichever is larger. */
  filesNamed: number;
  /** Pieces of context that hold a runtime stack trace (Node, Python, JVM, .NET, Go, Rust, Ruby, PHP). */
  stackTraces: number;
  /** Unified-diff hunks (`@@ -a,b +c,d @@`). */
  diffHunks: number;
  /** Log/compiler lines that report an error (`TypeError: …`, `error TS2322: …`, `ERROR …`, `FAILED …`). */
  errorLines: number;
  /** Problem-size constraints (`1 ≤ n ≤ 2·10^5`, `n <= 10^9`, `time limit`, `modulo 10^9+7`), in the
   * instruction or the context. */
  constraintMentions: number;
  /** Attached files / selections the host added (`<attachment>`, inline chat's `<file>`, Cline's `<file_content>`). */
  attachments: number;
}

/** Longest total of context characters scanned line by line (the rest counts in `chars` only). */
export const MAX_SHAPE_SCAN_CHARS = 200_000;

/** A piece of context and what it is. `code`: the whole piece is code (a fenced block's body, a file). */
export interface ContextPiece { text: string; code: boolean; attachment: boolean; path?: string }

export function emptyShape(): ContextShape {
  return { chars: 0, codeLines: 0, codeBlocks: 0, filesNamed: 0, stackTraces: 0, diffHunks: 0, errorLines: 0, constraintMentions: 0, attachments: 0 };
}

const ERROR_LINE_RE =
  /^\s*(?:[A-Z][\w.]*(?:Error|Exception|Fault)\b|(?:error|ERROR|Error|FATAL|fatal|FAILED|FAIL|panic)\b[\s:[(]|E\s{2,}\w|\w[\w./-]*\.\w+(?::\d+){1,2}:?\s*(?:error|fatal)\b|npm ERR!)/;
const CONSTRAINT_RE =
  /(?:\b[a-zA-Z](?:_\w+)?\s*(?:≤|<=|<)\s*\d+(?:\s*(?:[·*×x]\s*)?10\s*\^\s*\d+|\s*(?:[·*×x]\s*)?10\*\*\d+|e\d+)|\b10\s*\^\s*\d+\b|\b10\*\*\d+\b|\btime limit\b|\bmemory limit\b|\bmod(?:ulo)?\s+(?:10\^9\s*\+\s*7|998244353|1000000007)\b|\binteractive problem\b|^\s*(?:constraints|input|output)\s*:?\s*$)/gim;

/** Measures the pieces (in order) plus what the instruction itself names and states. */
export function measureShape(pieces: readonly ContextPiece[], instruction: string): ContextShape {
  const s = emptyShape();
  const files = new Set<string>();
  addFileNames(instruction, files);
  s.constraintMentions = countConstraints(instruction);
  let budget = MAX_SHAPE_SCAN_CHARS;
  for (const p of pieces) {
    s.chars += p.text.length;
    if (p.code) s.codeBlocks++;
    if (p.attachment) s.attachments++;
    if (p.path) files.add(baseName(p.path));
    if (budget <= 0) continue;
    const text = p.text.length > budget ? p.text.slice(0, budget) : p.text;
    budget -= text.length;
    scanLines(text, p.code, s);
    if (hasStackTrace(text)) s.stackTraces++;
    s.constraintMentions += countConstraints(text);
  }
  s.filesNamed = Math.max(files.size, statedFileCount(instruction));
  return s;
}

function scanLines(text: string, code: boolean, s: ContextShape): void {
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    if (end > start) {
      const c = text.charCodeAt(start);
      if (code) s.codeLines++;
      if (c === 64 /* @ */ && text.startsWith('@@ -', start)) s.diffHunks++;
      else if (end - start < 400 && ERROR_LINE_RE.test(text.slice(start, end))) s.errorLines++;
    }
    start = end + 1;
  }
}

function countConstraints(text: string): number {
  if (text.length === 0) return 0;
  CONSTRAINT_RE.lastIndex = 0;
  let n = 0;
  while (CONSTRAINT_RE.exec(text) !== null) n++;
  return n;
}

// File names: a name with a known source-ish extension, optionally with a path.
const FILE_RE =
  /(?:^|[\s`'"([<:=,])((?:[\w@.+-]+\/)*[\w@+-][\w@.+-]*\.(?:tsx?|jsx?|mjs|cjs|py|pyi|rs|go|java|kts?|swift|c|cc|cpp|cxx|h|hh|hpp|cs|fs|rb|php|scala|sql|json|ya?ml|toml|md|s?css|less|html?|vue|svelte|sh|bash|zsh|ps1|lua|dart|exs?|erl|zig|nim|jl|mm|proto|graphql|gradle|tf|ipynb))(?=$|[\s`'")\]>,;!?#]|\.(?:\s|$)|:(?!\d))/gim;

function addFileNames(text: string, into: Set<string>): void {
  if (text.length === 0 || text.indexOf('.') < 0) return;
  FILE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = FILE_RE.exec(text)) !== null) into.add(baseName(m[1]));
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 ? path.slice(i + 1) : path;
}

const STATED_FILES_RE =
  /\b(?:these|those|the following|all|the|across|in|over)\s+(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen)\s+(?:source\s+)?(?:files|modules|packages|services|components)\b/i;
const NUMBER_WORDS: Readonly<Record<string, number>> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, dozen: 12,
};

function statedFileCount(instruction: string): number {
  const m = STATED_FILES_RE.exec(instruction);
  if (!m) return 0;
  const w = m[1].toLowerCase();
  const n = NUMBER_WORDS[w] ?? Number.parseInt(w, 10);
  return Number.isFinite(n) ? n : 0;
}
