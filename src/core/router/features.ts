// Structural features of a request, read once per decision: the last user message (its prose outside
// fenced code, its code blocks and the files it names) plus the shape of the conversation (tools, history
// length, tool calls and results). Everything the classifier and the difficulty signals look at.
import type { ChatMessage, ChatRequest, Surface } from '../types';

/** Longest slice of the last user message searched for stack traces (characters). */
export const MAX_SCAN_CHARS = 60_000;
/** Longest slice of prose (text outside fenced code) searched for intent keywords (characters). */
export const MAX_PROSE_CHARS = 6_000;

export interface RequestFeatures {
  /** Text of the last user message (text parts joined), capped at MAX_SCAN_CHARS. */
  text: string;
  /** The same text outside ``` fences (plus fences' info strings), capped at MAX_PROSE_CHARS (head and tail kept). */
  prose: string;
  /** The same text outside ``` fences, uncapped (within `text`): the instruction the difficulty model reads
   * until the envelope reader (envelope.ts) supplies it. */
  outsideCode: string;
  /** Bodies of the fenced code blocks, joined by newlines: the pasted context. */
  code: string;
  /** Fenced code blocks in the last user message. */
  codeBlocks: number;
  /** Distinct files the last user message names in its prose or in code fences' info strings (not inside
   * code: imports would count), or the count it states ("these 6 files"), whichever is larger. */
  files: number;
  /** Messages other than system messages. */
  messages: number;
  userTurns: number;
  toolCalls: number;
  toolResults: number;
  /** Tools offered to the model in this request. */
  tools: number;
  /** True when the request carries a fill-in-the-middle suffix. */
  hasSuffix: boolean;
  surface: Surface;
  /** True when the conversation ends with a tool result (the model is inside a tool loop). */
  endsWithToolResult: boolean;
}

// File names with a source-ish extension, optionally with a path. Looked for in the prose and in code
// fences' info strings (attachments arrive as fences or tags carrying their path), not inside code, where
// imports (`from './util.js'`) would be counted as files the user named. The scan jumps from
// dot to dot, reads the extension after it and, when it is known and followed by a delimiter, reads the
// name backwards — linear, and cheap on long pasted code full of member accesses (`options.factor`).
const EXTENSIONS: ReadonlySet<string> = new Set([
  'ts', 'tsx', 'js', 'jsx', 'mjs', 'cjs', 'py', 'pyi', 'rs', 'go', 'java', 'kt', 'kts', 'swift', 'c', 'cc', 'cpp', 'cxx',
  'h', 'hh', 'hpp', 'cs', 'fs', 'rb', 'php', 'scala', 'sql', 'json', 'yaml', 'yml', 'toml', 'md', 'css', 'scss', 'less',
  'html', 'htm', 'vue', 'svelte', 'sh', 'bash', 'zsh', 'ps1', 'lua', 'dart', 'ex', 'exs', 'erl', 'zig', 'nim', 'jl', 'mm',
  'proto', 'graphql', 'gradle', 'tf', 'ipynb',
]);
const MAX_EXTENSION = 7;
const STATED_FILES_RE =
  /\b(?:these|those|the following|all|the|across|in|over)\s+(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen)\s+(?:source\s+)?(?:files|modules|packages|services|components)\b/i;
const NUMBER_WORDS: Record<string, number> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, dozen: 12,
};
const FENCE = '```';

export function extractFeatures(request: ChatRequest): RequestFeatures {
  const messages = request.messages;
  let lastUser: ChatMessage | undefined;
  let nonSystem = 0;
  let userTurns = 0;
  let toolCalls = 0;
  let toolResults = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'system') continue;
    nonSystem++;
    if (m.role === 'user') {
      lastUser = m;
      userTurns++;
    }
    if (typeof m.content !== 'string') {
      for (const p of m.content) {
        if (p.type === 'toolCall') toolCalls++;
        else if (p.type === 'toolResult') toolResults++;
      }
    }
  }
  const last = messages.length > 0 ? messages[messages.length - 1] : undefined;
  const endsWithToolResult =
    last !== undefined &&
    (last.role === 'tool' || (typeof last.content !== 'string' && last.content.some((p) => p.type === 'toolResult')));

  let text = lastUser ? messageText(lastUser) : '';
  if (text.length > MAX_SCAN_CHARS) text = text.slice(0, MAX_SCAN_CHARS);
  const { prose, codeBlocks, outsideCode, code } = splitProse(text);

  return {
    text,
    prose,
    outsideCode,
    code,
    codeBlocks,
    files: countFiles(prose),
    messages: nonSystem,
    userTurns,
    toolCalls,
    toolResults,
    tools: request.tools?.length ?? 0,
    hasSuffix: typeof request.suffix === 'string',
    surface: request.surface,
    endsWithToolResult,
  };
}

export function messageText(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  let out = '';
  for (const p of m.content) {
    if (p.type === 'text') out = out.length === 0 ? p.text : out + '\n' + p.text;
  }
  return out;
}

/** Text outside ``` fences (an unclosed fence runs to the end), plus each fence's info string (the rest of
 * its opening line: a language, often a path), and the number of fenced blocks; also the text outside the
 * fences uncapped and the fences' bodies. */
function splitProse(text: string): { prose: string; codeBlocks: number; outsideCode: string; code: string } {
  let start = text.indexOf(FENCE);
  if (start < 0) return { prose: capProse(text), codeBlocks: 0, outsideCode: text, code: '' };
  let prose = text.slice(0, start);
  let code = '';
  let blocks = 0;
  while (start >= 0) {
    blocks++;
    const end = text.indexOf(FENCE, start + 3);
    const nl = text.indexOf('\n', start + 3);
    if (nl > start + 3 && (end < 0 || nl < end)) prose += ' ' + text.slice(start + 3, nl) + ' ';
    if (nl >= 0 && (end < 0 || nl < end)) code += (code.length > 0 ? '\n' : '') + text.slice(nl + 1, end < 0 ? text.length : end);
    if (end < 0) break;
    const next = text.indexOf(FENCE, end + 3);
    prose += ' ' + text.slice(end + 3, next < 0 ? text.length : next);
    start = next;
  }
  return { prose: capProse(prose), codeBlocks: blocks, outsideCode: prose, code };
}

function capProse(prose: string): string {
  if (prose.length <= MAX_PROSE_CHARS) return prose;
  // Keep the head (the question usually comes first) and the tail (or last, after pasted material).
  const half = MAX_PROSE_CHARS / 2;
  return prose.slice(0, half) + '\n' + prose.slice(prose.length - half);
}

export function countFiles(prose: string): number {
  const text = prose;
  let seen: Set<string> | undefined;
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
    (seen ??= new Set<string>()).add(text.slice(start, end));
  }
  const distinct = seen?.size ?? 0;
  const stated = STATED_FILES_RE.exec(prose);
  let statedCount = 0;
  if (stated) {
    const w = stated[1].toLowerCase();
    statedCount = NUMBER_WORDS[w] ?? Number.parseInt(w, 10);
    if (!Number.isFinite(statedCount)) statedCount = 0;
  }
  return Math.max(distinct, statedCount);
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
