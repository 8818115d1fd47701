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
/** Literal parts one of which every error line holds: pieces without any skip the line scan for errors. */
const ERROR_HINT_RE = /rror|FAIL|ERR!|xception|Fault|atal|FATAL|panic|\nE {2}|^E {2}/;
const CONSTRAINT_RE =
  /(?:\b[a-zA-Z](?:_\w+)?\s*(?:≤|<=|<)\s*\d+(?:\s*(?:[·*×x]\s*)?10\s*\^\s*\d+|\s*(?:[·*×x]\s*)?10\*\*\d+|e\d+)|\b10\s*\^\s*\d+\b|\b10\*\*\d+\b|\btime limit\b|\bmemory limit\b|\bmod(?:ulo)?\s+(?:10\^9\s*\+\s*7|998244353|1000000007)\b|\binteractive problem\b|^\s*(?:constraints|input|output)\s*:?\s*$)/gim;
/** Literal parts one of which every constraint holds (`10^`, `10**`, `1e5`, `limit`, `mod`, headers): a line
 * without any is not searched. */
const CONSTRAINT_HINT_RE = /10\s?\^|10\*\*|≤|\d[eE]\d|limit|modulo|998244353|1000000007|nteractive|onstraints|^\s*(?:[Ii]nput|[Oo]utput)\s*:?\s*$/m;

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
    scanLines(text, p.code, ERROR_HINT_RE.test(text), CONSTRAINT_HINT_RE.test(text), s);
    if (hasStackTrace(text)) s.stackTraces++;
  }
  s.filesNamed = Math.max(files.size, statedFileCount(instruction));
  return s;
}

/** One pass over the lines: code lines, diff hunks, error lines and constraints (the last two only in pieces
 * that hold one of their literal hints). */
function scanLines(text: string, code: boolean, errors: boolean, constraints: boolean, s: ContextShape): void {
  let start = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    if (end > start) {
      if (code) s.codeLines++;
      const short = end - start < 400;
      const line = short ? text.slice(start, end) : '';
      if (text.charCodeAt(start) === 64 /* @ */ && text.startsWith('@@ -', start)) s.diffHunks++;
      else if (errors && short && ERROR_LINE_RE.test(line)) s.errorLines++;
      if (constraints) s.constraintMentions += countConstraints(short ? line : text.slice(start, end));
    }
    start = end + 1;
  }
}

function countConstraints(text: string): number {
  if (text.length === 0 || !CONSTRAINT_HINT_RE.test(text)) return 0;
  CONSTRAINT_RE.lastIndex = 0;
  let n = 0;
  while (CONSTRAINT_RE.exec(text) !== null) n++;
  return n;
}

// File names with a source-ish extension, optionally with a path. Looked for in the instruction (which keeps code
// fences' info strings, often a path) and taken from attachments' paths, not inside code, where imports
// (`from './util.js'`) would be counted as files the user named. The scan jumps from
// dot to dot, reads the extension after it and, when it is known and followed by a delimiter, reads the
// name backwards — linear, and cheap on long pasted code full of member accesses (`options.factor`).
const EXTENSIONS: ReadonlySet<string> = new Set([
  'ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'py', 'pyi', 'rs', 'go', 'java', 'kt', 'kts', 'swift', 'c', 'cc', 'cpp', 'cxx',
  'h', 'hh', 'hpp', 'cs', 'fs', 'rb', 'php', 'scala', 'sql', 'json', 'yaml', 'yml', 'toml', 'md', 'css', 'scss', 'less',
  'html', 'htm', 'vue', 'svelte', 'sh', 'bash', 'zsh', 'ps1', 'lua', 'dart', 'ex', 'exs', 'erl', 'zig', 'nim', 'jl', 'mm',
  'proto', 'graphql', 'gradle', 'tf', 'ipynb',
]);
const MAX_EXTENSION = 7;
function addFileNames(text: string, seen: Set<string>): void {
  const n = text.length;
  for (let dot = text.indexOf('.'); dot >= 0; dot = text.indexOf('.', dot + 1)) {
    // The extension: letters and digits after the dot, then a delimiter (or the end).
    let end = dot + 1;
    while (end < n && end - dot <= MAX_EXTENSION + 1 && isAlnum(text.charCodeAt(end))) end++;
    if (end === dot + 1 || end - dot > MAX_EXTENSION + 1) continue;
    if (end < n && !isDelimiter(text.charCodeAt(end))) continue;
    const ext = text.slice(dot + 1, end);
    if (!EXTENSIONS.has(ext) && !EXTENSIONS.has(ext.toLowerCase())) continue;
    // `file.ts:42` is a location (a stack frame, a compiler diagnostic), not a file the user brings in.
    if (text.charCodeAt(end) === 58 /* : */ && isDigit(text.charCodeAt(end + 1))) continue;
    // The name, read backwards; it must start a token.
    let start = dot;
    while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
    if (start === dot) continue; // `.ts` alone
    if (start > 0 && !isNameStart(text.charCodeAt(start - 1))) continue;
    seen.add(baseName(text.slice(start, end)));
  }
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

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/** What may follow a file name: whitespace, quotes, brackets, punctuation. */
function isDelimiter(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 96 || c === 39 || c === 34 || c === 41 || c === 93 || c === 62 ||
    c === 58 || c === 44 || c === 59 || c === 46 || c === 33 || c === 63 || c === 35;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** [A-Za-z0-9_@.+/-] */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 64 || c === 46 || c === 43 || c === 47 || c === 45;
}

/** Characters after which a file name may start: whitespace, quotes, brackets, `#`, `:`, `=`, `,`. */
function isNameStart(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 96 || c === 39 || c === 34 || c === 40 || c === 91 || c === 60 || c === 35 || c === 58 || c === 61 || c === 44;
}
