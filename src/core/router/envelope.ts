// The envelope reader: finds the user's instruction inside the request a real client sends.
//
// Assistants wrap a few words of the user in a lot of host text. VS Code's Agent mode sends a 10–16k-character
// system prompt, an environment/workspace message, date/editor/reminder blocks and 39 tool schemas around
// "Rename the variable t to total in app.js". Task cues must come from those words only; the rest is
//   - boilerplate: system prompts, reminders, environment/workspace blocks, tool schemas (counted, not read);
//   - context: what was pasted or attached for the model to read — code, logs, diffs, attachments, tool
//     results of this turn (measured by shape, contextShape.ts, never scanned for task words).
//
// Shapes recognised (test/fixtures/envelopes/ holds a captured request of each; README there):
//
// | client        | recognised by                                       | the user's words            | boilerplate / context |
// |---------------|-----------------------------------------------------|-----------------------------|-----------------------|
// | vscode-agent  | a user message with `<userRequest>`, edit + terminal tools | `<userRequest>…`     | `<environment_info>`, `<workspace_info>`, memories, `<context>`, `<editorContext>`, `<reminderInstructions>`; `<attachments>` is context |
// | vscode-ask    | `<userRequest>`, no edit tools, no plan prompt      | same                        | same                  |
// | vscode-plan   | `<userRequest>`, no edit tools, the Plan agent's system prompt | same             | same                  |
// | vscode-edit   | `<userRequest>`, edit tools but no terminal tool (the former Edit mode) | same      | same                  |
// | vscode-inline | a user message with `<prompt>`                      | `<prompt>…`                 | `<reminder>`; `<file>`, `<file-cursor-context>`, `<selection>` are context |
// | claude-code   | `<system-reminder>` text blocks, or Claude's system prompt | text outside `<system-reminder>` | reminders            |
// | cline         | `<task>` / `<feedback>` / `<answer>`, or a "You are Cline" system prompt | inside those tags, or the plain message | `<environment_details>`; `<file_content>` is context; `[tool] Result:` messages are tool results |
// | fim           | a fill-in-the-middle suffix (hints.suffix)          | none                        | prefix and suffix are context |
// | unknown       | anything else                                       | the last user message minus `<system-reminder>` blocks | — |
//
// Inside the user's own words, fenced code blocks, stack-trace frames, diff lines and error lines are pasted
// material: they go to the context, the rest is the instruction.
//
// A *user turn* is a user message that carries the user's words (not only tool results, not only host
// blocks such as Copilot's environment message). The request is a *tool-loop continuation* when it ends in
// tool results after the current turn's user message; the turn's instruction is still the one that opened it.
import type { ChatMessage, MessagePart } from '../types';
import { ContextPiece, ContextShape, measureShape } from './contextShape';

export type { ContextShape } from './contextShape';

export type ClientShape =
  | 'vscode-agent' | 'vscode-ask' | 'vscode-edit' | 'vscode-plan' | 'vscode-inline'
  | 'fim' | 'claude-code' | 'cline' | 'unknown';

export interface Envelope {
  /** Which client's request shape this is. */
  client: ClientShape;
  /** The current user turn's own words (host blocks and pasted material removed). Empty for FIM. */
  instruction: string;
  /** Pasted or attached material of the current turn, pieces joined by blank lines (tool results included). */
  context: string;
  /** The context's shape (sizes and counts), plus files named and constraints stated in the instruction. */
  shape: ContextShape;
  /** Characters of host text: system messages and the host blocks of user messages (tool schemas not included). */
  boilerplateChars: number;
  /** Characters of the conversation's own material: every non-system message's text and tool results (the
   * user's words, pasted and attached context, earlier turns, answers, tool output), host blocks removed. What
   * the "large context" signal measures, not the host's system prompt, reminders or tool schemas. */
  conversationChars: number;
  /** Tools offered with the request. */
  toolCount: number;
  /** User turns so far, this one included (Copilot's environment message and tool results are not turns). */
  userTurns: number;
  /** The request ends in tool results for calls the model made in this turn. */
  toolLoopContinuation: boolean;
  /** Index in the messages of the user message that opened the current turn (-1 when there is none). */
  turnStart: number;
  /** The first user turn's words (the conversation's opening, for conversation ids). */
  firstInstruction: string;
}

/** What a door knows besides the messages. */
export interface EnvelopeHints {
  /** Fill-in-the-middle: the text after the cursor. */
  suffix?: string;
}

/** Longest instruction kept (characters; head and tail). Longer "instructions" are pasted problem statements. */
export const MAX_INSTRUCTION_CHARS = 20_000;

type Family = 'copilot' | 'inline' | 'claude' | 'cline' | 'plain';

/** One user message, read: the user's words (undefined when it has none), host text and context pieces. */
interface ReadMessage { words: string | undefined; boilerplate: number; pieces: ContextPiece[]; toolResults: boolean }

export function readEnvelope(messages: readonly ChatMessage[], tools?: readonly unknown[], hints?: EnvelopeHints): Envelope {
  const toolCount = tools?.length ?? 0;
  if (typeof hints?.suffix === 'string') return readFim(messages, hints.suffix, toolCount);

  const family = detectFamily(messages);
  let boilerplate = 0;
  let turnStart = -1;
  let userTurns = 0;
  let firstInstruction: string | undefined;
  let current: ReadMessage | undefined;
  // Context pieces of user messages between the last assistant message and the turn's message (inline chat
  // sends the file in its own message before the prompt), and tool results after it.
  let pending: ContextPiece[] = [];
  let turnPieces: ContextPiece[] = [];
  let after: ContextPiece[] = [];
  let conversation = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (m.role === 'system') { boilerplate += textLength(m); continue; }
    conversation += materialLength(m);
    if (m.role === 'assistant') { pending = []; continue; }
    const r = readUserMessage(m, family);
    boilerplate += r.boilerplate;
    conversation -= r.boilerplate;
    if (r.words === undefined) {
      if (turnStart >= 0 && (r.toolResults || after.length > 0)) after = after.concat(r.pieces);
      else pending = pending.concat(r.pieces);
      continue;
    }
    userTurns++;
    turnStart = i;
    current = r;
    if (firstInstruction === undefined) firstInstruction = r.words;
    turnPieces = pending.concat(r.pieces);
    pending = [];
    after = [];
  }
  const last = messages.length > 0 ? messages[messages.length - 1] : undefined;
  const toolLoopContinuation = turnStart >= 0 && last !== undefined && messages.length - 1 > turnStart && isToolResults(last, family);
  const instruction = current?.words ?? '';
  const pieces = turnStart >= 0 ? turnPieces.concat(after) : pending;
  return {
    client: clientOf(family, messages, tools),
    instruction,
    context: joinPieces(pieces),
    shape: measureShape(pieces, instruction),
    boilerplateChars: boilerplate,
    conversationChars: Math.max(0, conversation),
    toolCount,
    userTurns,
    toolLoopContinuation,
    turnStart,
    firstInstruction: firstInstruction ?? '',
  };
}

function readFim(messages: readonly ChatMessage[], suffix: string, toolCount: number): Envelope {
  let prefix = '';
  let boilerplate = 0;
  for (const m of messages) {
    if (m.role === 'system') boilerplate += textLength(m);
    else if (m.role === 'user') prefix = textOf(m);
  }
  const pieces: ContextPiece[] = [{ text: prefix, code: true, attachment: false }, { text: suffix, code: true, attachment: false }];
  return {
    client: 'fim', instruction: '', context: prefix + suffix, shape: measureShape(pieces, ''), boilerplateChars: boilerplate, conversationChars: prefix.length + suffix.length,
    toolCount, userTurns: 1, toolLoopContinuation: false, turnStart: messages.length - 1, firstInstruction: '',
  };
}

// ---------------------------------------------------------------------------------------------
// Which client

const SYSTEM_REMINDER = '<system-reminder>';

function detectFamily(messages: readonly ChatMessage[]): Family {
  let family: Family = 'plain';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'system') {
      const t = firstText(m);
      if (t.startsWith('You are Cline') && family === 'plain') family = 'cline';
      else if ((t.includes('Claude Code') || t.includes('Claude Agent SDK') || t.startsWith('x-anthropic-billing-header')) && family === 'plain') family = 'claude';
      continue;
    }
    if (m.role !== 'user') continue;
    const t = textOf(m);
    if (t.includes('<userRequest>')) return 'copilot';
    if (t.includes('<prompt>') && (t.trimStart().startsWith('<prompt>'))) return 'inline';
    if (t.includes('<task>') || t.includes('<environment_details>')) return 'cline';
    if (t.includes(SYSTEM_REMINDER)) family = family === 'plain' ? 'claude' : family;
  }
  return family;
}

const EDIT_TOOLS = ['replace_string_in_file', 'insert_edit_into_file', 'apply_patch', 'create_file', 'multi_replace_string_in_file'];
const TERMINAL_TOOLS = ['run_in_terminal', 'create_and_run_task'];

function clientOf(family: Family, messages: readonly ChatMessage[], tools: readonly unknown[] | undefined): ClientShape {
  switch (family) {
    case 'inline': return 'vscode-inline';
    case 'claude': return 'claude-code';
    case 'cline': return 'cline';
    case 'plain': return 'unknown';
    case 'copilot': break;
  }
  const names = new Set<string>();
  for (const t of tools ?? []) {
    const n = toolName(t);
    if (n) names.add(n);
  }
  const edits = EDIT_TOOLS.some((n) => names.has(n));
  const terminal = TERMINAL_TOOLS.some((n) => names.has(n));
  if (edits && terminal) return 'vscode-agent';
  if (edits) return 'vscode-edit';
  const system = messages.length > 0 && messages[0].role === 'system' ? firstText(messages[0]) : '';
  return /\bPlan(?:ning)? agent\b|\bplanning agent\b|<planFileSpec>|\bplan mode\b/i.test(system) ? 'vscode-plan' : 'vscode-ask';
}

/** A tool's name: core ToolDefinition `name`, OpenAI `{ function: { name } }`. */
function toolName(t: unknown): string | undefined {
  if (typeof t !== 'object' || t === null) return undefined;
  const o = t as { name?: unknown; function?: { name?: unknown } };
  if (typeof o.name === 'string') return o.name;
  if (typeof o.function === 'object' && o.function !== null && typeof o.function.name === 'string') return o.function.name;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// One user message

/** Cline's text tool results: `[read_file for 'app.js'] Result:`. */
const CLINE_RESULT_RE = /^\[[\w-]+(?: for [^\]\n]*)?\] Result:/;

function isToolResults(m: ChatMessage, family: Family): boolean {
  if (m.role === 'tool') return true;
  if (m.role !== 'user' || typeof m.content === 'string') return family === 'cline' && m.role === 'user' && typeof m.content === 'string' && CLINE_RESULT_RE.test(m.content);
  let results = false;
  for (const p of m.content) {
    if (p.type === 'toolResult') results = true;
    else if (p.type === 'text' && !isHostOnlyText(p.text)) {
      if (family === 'cline' && CLINE_RESULT_RE.test(p.text)) return true;
      return false;
    }
  }
  return results;
}

/** Text that carries nothing of the user's: empty, or nothing but `<system-reminder>` blocks. */
function isHostOnlyText(text: string): boolean {
  const t = text.trim();
  return t.length === 0 || (t.startsWith(SYSTEM_REMINDER) && stripSystemReminders(t).trim().length === 0);
}

function readUserMessage(m: ChatMessage, family: Family): ReadMessage {
  if (m.role === 'tool' || isToolResults(m, family)) return { words: undefined, boilerplate: 0, pieces: toolResultPieces(m), toolResults: true };
  const text = textOf(m);
  switch (family) {
    case 'copilot': return readTagged(text, COPILOT_WORDS, COPILOT_CONTEXT, false);
    case 'inline': return readTagged(text, INLINE_WORDS, INLINE_CONTEXT, false);
    case 'cline': return readTagged(text, CLINE_WORDS, CLINE_CONTEXT, true);
    case 'claude':
    case 'plain': return readPlain(m);
  }
}

const COPILOT_WORDS = ['userRequest'];
const COPILOT_CONTEXT = ['attachments'];
const INLINE_WORDS = ['prompt'];
const INLINE_CONTEXT = ['file', 'file-cursor-context', 'selection'];
const CLINE_WORDS = ['task', 'feedback', 'answer', 'user_message'];
const CLINE_CONTEXT = ['file_content'];

/** A message made of `<tag>…</tag>` blocks: words from the word tags, context from the context tags, the
 * rest host text. `untaggedIsWords`: a message without any word tag is the user's plain text (Cline CLI),
 * minus its host blocks. */
function readTagged(text: string, wordTags: readonly string[], contextTags: readonly string[], untaggedIsWords: boolean): ReadMessage {
  const pieces: ContextPiece[] = [];
  let words: string | undefined;
  let used = 0;
  for (const tag of wordTags) {
    for (const body of tagBodies(text, tag)) {
      words = words === undefined ? body : `${words}\n${body}`;
      used += body.length;
    }
  }
  for (const tag of contextTags) {
    for (const body of tagBodies(text, tag)) {
      used += body.length;
      if (tag === 'attachments') pieces.push(...attachmentPieces(body));
      else if (tag === 'file-cursor-context') pieces.push({ text: body, code: false, attachment: false });
      else pieces.push({ text: unfence(body), code: true, attachment: true, path: pathAttribute(text, body) ?? statedPath(text) });
    }
  }
  if (words === undefined && untaggedIsWords) {
    const plain = stripTags(text, ['environment_details', ...contextTags]).trim();
    if (plain.length > 0) {
      words = plain;
      used += plain.length;
    }
  }
  if (words === undefined) return { words: undefined, boilerplate: Math.max(0, text.length - used), pieces, toolResults: false };
  const split = splitPasted(words);
  return { words: split.instruction, boilerplate: Math.max(0, text.length - used), pieces: split.pieces.concat(pieces), toolResults: false };
}

/** Claude Code and unknown clients: the text outside `<system-reminder>` blocks is the user's. */
function readPlain(m: ChatMessage): ReadMessage {
  const parts: readonly MessagePart[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
  let words = '';
  let boilerplate = 0;
  const pieces: ContextPiece[] = [];
  for (const p of parts) {
    if (p.type === 'toolResult') pieces.push({ text: p.content, code: false, attachment: false });
    if (p.type !== 'text') continue;
    const own = p.text.includes(SYSTEM_REMINDER) ? stripSystemReminders(p.text) : p.text;
    boilerplate += p.text.length - own.length;
    const t = own.trim();
    if (t.length > 0) words = words.length === 0 ? t : `${words}\n${t}`;
  }
  if (words.length === 0) return { words: undefined, boilerplate, pieces, toolResults: false };
  const split = splitPasted(words);
  return { words: split.instruction, boilerplate, pieces: split.pieces.concat(pieces), toolResults: false };
}

function toolResultPieces(m: ChatMessage): ContextPiece[] {
  if (typeof m.content === 'string') return [{ text: m.content, code: false, attachment: false }];
  const out: ContextPiece[] = [];
  for (const p of m.content) {
    if (p.type === 'toolResult') out.push({ text: stripSystemReminders(p.content), code: false, attachment: false });
    else if (p.type === 'text' && !isHostOnlyText(p.text)) {
      if (p.text.includes('<environment_details>')) continue;
      const files = tagBodies(p.text, 'file_content');
      if (files.length > 0) for (const f of files) out.push({ text: f, code: true, attachment: false, path: pathAttribute(p.text, f) });
      else if (!CLINE_RESULT_RE.test(p.text) || p.text.length > 80) out.push({ text: p.text, code: false, attachment: false });
    }
  }
  return out;
}

/** Copilot's `<attachments>`: one piece per `<attachment … filePath="…">`. */
function attachmentPieces(body: string): ContextPiece[] {
  const out: ContextPiece[] = [];
  for (const a of tagBodies(body, 'attachment')) out.push({ text: a, code: true, attachment: true, path: pathAttribute(body, a) });
  if (out.length === 0 && body.trim().length > 0) out.push({ text: body, code: true, attachment: true });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pasted material inside the user's words

const FENCE = '```';
/** Lines that are pasted output rather than words: stack frames, diff lines, error/log lines. */
const PASTED_LINE_RE =
  /^(?:\s+at \S|\s+File "|Traceback \(most recent call last\)|goroutine \d+ \[|thread '[^']*' panicked|\s+from \S+\.rb:\d+|#\d+ \S+\.php\(|@@ -\d|diff --git |(?:---|\+\+\+) [ab/]|[A-Z][\w.]*(?:Error|Exception): |npm ERR!|\S+\.\w+:\d+(?::\d+)?:? (?:error|warning)\b|error(?:\[\w+\])?: |E\s{2,}\S)/;

interface Split { instruction: string; pieces: ContextPiece[] }

export function splitPasted(words: string): Split {
  const pieces: ContextPiece[] = [];
  let prose = '';
  let rest = words;
  // Fenced blocks: the body is context; the info string (often a path) stays with the words.
  let at = rest.indexOf(FENCE);
  if (at >= 0) {
    let out = '';
    while (at >= 0) {
      out += rest.slice(0, at);
      const nl = rest.indexOf('\n', at + 3);
      const close = nl < 0 ? -1 : rest.indexOf(FENCE, nl + 1);
      const info = nl < 0 ? rest.slice(at + 3) : rest.slice(at + 3, nl);
      const body = nl < 0 ? '' : rest.slice(nl + 1, close < 0 ? rest.length : close);
      const path = /[\w-]\.\w+/.test(info) ? info.trim().split(/\s+/).pop() : undefined;
      pieces.push({ text: body, code: true, attachment: false, path });
      if (path) out += `\n${path}\n`;
      if (close < 0) { rest = ''; break; }
      rest = rest.slice(close + 3);
      at = rest.indexOf(FENCE);
    }
    rest = out + rest;
  }
  // Pasted output lines outside fences (a trace, a diff, a compiler log): runs of them are one piece.
  if (PASTED_SCAN_RE.test(rest)) {
    let run = '';
    for (const line of rest.split('\n')) {
      if (PASTED_LINE_RE.test(line) || (run.length > 0 && isContinuation(line))) {
        run += line + '\n';
      } else {
        if (run.length > 0) { pieces.push({ text: run, code: false, attachment: false }); run = ''; }
        prose += line + '\n';
      }
    }
    if (run.length > 0) pieces.push({ text: run, code: false, attachment: false });
  } else prose = rest;
  return { instruction: capInstruction(collapse(prose)), pieces };
}

/** Cheap pre-check: could any line be pasted output? */
const PASTED_SCAN_RE = /\n\s+at \S|\n\s+File "|Traceback|goroutine |panicked|\.rb:\d|\.php\(|(?:^|\n)@@ -|diff --git|(?:^|\n)(?:---|\+\+\+) |(?:Error|Exception): |npm ERR!|:\d+:? (?:error|warning)|(?:^|\n)error(?:\[\w+\])?: |(?:^|\n)E {2,}/;

/** Lines that continue a pasted block: indented frames or diff context lines. */
function isContinuation(line: string): boolean {
  return /^(?:\s{2,}\S|[+-])/.test(line) && !/^\s*[A-Za-z][a-z]+ [a-z]+ [a-z]+/.test(line);
}

function collapse(s: string): string {
  return s.replace(/[ \t]*\n\s*/g, '\n').trim();
}

function capInstruction(s: string): string {
  if (s.length <= MAX_INSTRUCTION_CHARS) return s;
  const half = MAX_INSTRUCTION_CHARS / 2;
  return s.slice(0, half) + '\n' + s.slice(s.length - half);
}

// ---------------------------------------------------------------------------------------------
// Text helpers

function textOf(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  let out = '';
  for (const p of m.content) if (p.type === 'text') out = out.length === 0 ? p.text : `${out}\n${p.text}`;
  return out;
}

function firstText(m: ChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  for (const p of m.content) if (p.type === 'text' && p.text.length > 0 && !p.text.startsWith('x-anthropic-billing-header')) return p.text;
  return '';
}

/** Characters of a message's text and tool results (what the conversation itself carries). */
function materialLength(m: ChatMessage): number {
  if (typeof m.content === 'string') return m.content.length;
  let n = 0;
  for (const p of m.content) {
    if (p.type === 'text') n += p.text.length;
    else if (p.type === 'toolResult') n += p.content.length;
  }
  return n;
}

function textLength(m: ChatMessage): number {
  if (typeof m.content === 'string') return m.content.length;
  let n = 0;
  for (const p of m.content) if (p.type === 'text') n += p.text.length;
  return n;
}

/** Bodies of every `<tag …>…</tag>` (attributes allowed), trimmed. */
function tagBodies(text: string, tag: string): string[] {
  const out: string[] = [];
  const open = `<${tag}`;
  const close = `</${tag}>`;
  let from = 0;
  for (;;) {
    const at = text.indexOf(open, from);
    if (at < 0) break;
    const after = text.charCodeAt(at + open.length);
    if (after !== 62 /* > */ && after !== 32 && after !== 10) { from = at + open.length; continue; }
    const gt = text.indexOf('>', at + open.length);
    if (gt < 0) break;
    const end = text.indexOf(close, gt + 1);
    const body = text.slice(gt + 1, end < 0 ? text.length : end);
    out.push(body.trim());
    if (end < 0) break;
    from = end + close.length;
  }
  return out;
}

/** The `filePath="…"` / `path="…"` attribute of the tag whose body is `body`, if any. */
function pathAttribute(text: string, body: string): string | undefined {
  const at = text.indexOf(body);
  if (at < 0) return undefined;
  const lt = text.lastIndexOf('<', at);
  if (lt < 0) return undefined;
  const m = /\b(?:filePath|path)="([^"]+)"/.exec(text.slice(lt, at));
  return m ? m[1] : undefined;
}

/** Inline chat names its file in prose: "The filepath is `/w/app.js` and this is its content:". */
function statedPath(text: string): string | undefined {
  const m = /\bfile ?path is `([^`\n]+)`/i.exec(text);
  return m ? m[1] : undefined;
}

/** A file block's body without its surrounding ``` fence lines. */
function unfence(body: string): string {
  if (!body.startsWith(FENCE)) return body;
  const nl = body.indexOf('\n');
  const end = body.lastIndexOf(FENCE);
  return nl < 0 || end <= nl ? body : body.slice(nl + 1, end).replace(/\n$/, '');
}

function stripTags(text: string, tags: readonly string[]): string {
  let out = text;
  for (const tag of tags) {
    const re = new RegExp(`<${tag}(?:\\s[^>]*)?>[\\s\\S]*?(?:</${tag}>|$)`, 'g');
    out = out.replace(re, '');
  }
  return out;
}

function stripSystemReminders(text: string): string {
  return text.indexOf(SYSTEM_REMINDER) < 0 ? text : text.replace(/<system-reminder>[\s\S]*?(?:<\/system-reminder>|$)/g, '');
}

function joinPieces(pieces: readonly ContextPiece[]): string {
  if (pieces.length === 0) return '';
  if (pieces.length === 1) return pieces[0].text;
  return pieces.map((p) => p.text).join('\n\n');
}
