// Task classification: what kind of coding request this is. Deterministic and cheap: a fixed set of
// precompiled regular expressions over the prose of the last user message (text outside code fences), plus
// the request's structure (surface, FIM suffix, tools, tool calls and results, history length).
//
// Order of decisions:
//   1. completion — surface `inline`, or a fill-in-the-middle suffix.
//   2. agentic    — tools offered AND a tool loop under way: >= 3 tool results, or >= 1 tool result in a
//                   history of >= 8 messages (system messages not counted).
//   3. text cues  — each cue that matches adds its weight to one kind; an imperative verb at the start of
//                   the message ("fix …", "rename …", "explain …") adds 3. Highest total wins; ties go to the
//                   earlier kind in KIND_PRIORITY.
//   4. multi-file — when the message names >= 3 files, states a count ("these 6 files") or says "across the
//                   codebase", a change (fix, test, document, refactor, rename, generate, nothing) becomes
//                   `multiFile`; a design or explain question keeps its class (the file count still raises
//                   difficulty).
//   5. nothing matched — a question is `explain`; anything else is a code generation request.
//
// The router works with finer internal kinds than the shared TaskClass: `rename` (reported as `refactor`)
// and `generate` ("implement …", "write a function …", reported as `refactor` until TaskClass has a
// generation class). The kind is in the signals (`kind:generate`), so routing logs show it.
import type { ChatRequest, TaskClass } from '../types';
import { measureShape } from './contextShape';
import { extractFeatures, RequestFeatures, stackTraceOnce } from './features';

export type TaskKind = TaskClass | 'rename' | 'generate';

/** TaskClass reported for each internal kind. */
export const KIND_TO_TASK: Readonly<Record<TaskKind, TaskClass>> = {
  completion: 'completion', explain: 'explain', document: 'document', test: 'test', fix: 'fix',
  refactor: 'refactor', rename: 'refactor', generate: 'refactor', multiFile: 'multiFile', design: 'design',
  agentic: 'agentic',
};

type TextKind = 'design' | 'fix' | 'test' | 'document' | 'rename' | 'refactor' | 'generate' | 'explain';
/** Tie-break order among text kinds (earlier wins). */
const KIND_PRIORITY: readonly TextKind[] = ['design', 'fix', 'test', 'document', 'rename', 'refactor', 'generate', 'explain'];

interface Cue { kind: TextKind; label: string; weight: number; re: RegExp }

const CUES: readonly Cue[] = [
  { kind: 'fix', label: 'bug-words', weight: 2, re: /\b(?:fix(?:es|ed|ing)?|bugs?|buggy|broken|crash(?:es|ed|ing)?|errors?|exceptions?|fail(?:s|ed|ing|ure|ures)?|doesn'?t work|does not work|not working|isn'?t working|wrong (?:output|result|value|answer)|regression|segfaults?|panic(?:s|ked)?|hangs?|hanging|freez(?:es|ing)|race conditions?|deadlocks?|memory leaks?|leaks? memory|flaky|intermittent(?:ly)?|throws?|stack ?traces?|traceback)\b/i },
  { kind: 'fix', label: 'error-name', weight: 2, re: /\b[A-Z]\w*(?:Error|Exception)\b|\bE[A-Z]{3,}\b|\berror (?:code )?[A-Z]*\d{2,}/ },
  { kind: 'fix', label: 'review', weight: 1, re: /\b(?:review|audit|vulnerab\w*|security (?:issues?|holes?|problems?)|find (?:the |any )?(?:bugs?|issues?|problems?))\b/i },
  { kind: 'test', label: 'test-words', weight: 3, re: /\b(?:unit[- ]?tests?|integration tests?|e2e tests?|end-to-end tests?|test (?:cases?|suite|file|coverage|harness)|tests? for|(?:write|add|generate|create)\s+(?:(?:a|an|some|more|the)\s+)?(?:unit\s+|property[- ]based\s+)?tests?|specs? for|jest|mocha|pytest|vitest|junit|xunit|rspec|table[- ]driven tests?|test coverage)\b/i },
  // Docs as the thing to write, not as the spec to follow: "add a docstring", "document this module", not
  // "complete the function according to its docstring" (HumanEval's own instruction).
  { kind: 'document', label: 'doc-words', weight: 3, re: /\b(?:(?:add|write|generate|update|improve|create|insert|fix|expand|rewrite|missing|needs?)\s+(?:(?:a|an|the|some|inline|proper|more|better|missing|clear|short|its|their|my|our|this|these)\s+){0,2}(?:doc ?strings?|jsdoc|tsdoc|javadoc|pydoc|rustdoc|godoc|doc ?comments?|comments?|documentation|docs|readme|changelog|api docs?)|comment (?:this|the|each|every)|document (?:this|the|these|each|every|all|what|how|it|them)|(?:doc ?strings?|documentation|docs|jsdoc|comments?) (?:for|to) (?:this|the|these|each|every|all|my|our|it|them)|readme|changelog)\b/i },
  { kind: 'rename', label: 'rename', weight: 3, re: /\b(?:rename|renaming)\b/i },
  { kind: 'refactor', label: 'refactor-words', weight: 2, re: /\b(?:refactor\w*|extract (?:a |an |the |this |that )?(?:method|function|variable|constant|class|interface|component|hook|type|module|helper)|inline (?:this|the|that) (?:variable|function|method|constant|helper)|move (?:this|the|that) (?:function|method|class|file|code)|simplify|clean ?up|tidy|dedupe|deduplicate|convert (?:this|it|the|these)|make (?:it|this|the code) (?:more )?(?:readable|idiomatic|cleaner|faster)|optimi[sz]e|speed (?:it|this) up|faster)\b/i },
  { kind: 'generate', label: 'generate-words', weight: 2, re: /\b(?:implement\w*|write (?:(?:a|an|the|me a|me an)\s+)?(?:function|class|method|script|component|endpoint|module|program|parser|hook|query|regex|cli|server|handler)|create (?:a|an) |add (?:a |an )?(?:new )?(?:feature|endpoint|function|method|option|flag|field|route|command|parameter|argument)|build (?:a|an|me)|generate (?:a|an) (?:function|class|script))\b/i },
  { kind: 'explain', label: 'explain-words', weight: 2, re: /\b(?:explain\w*|what does|what is|what are|what's|how does|how do(?:es)? .{0,40}work|why does|why is|why do|walk me through|help me understand|meaning of|tell me about|describe|difference between)\b/i },
  { kind: 'design', label: 'design-strong', weight: 5, re: /\b(?:architect\w*|system design|trade-?offs?|pros and cons|how (?:should|would|do|could) (?:i|we) (?:best )?(?:structure|organi[sz]e|design|architect|model|split|approach|layer)|best (?:way|approach) to (?:structure|organi[sz]e|design|architect|model)|structure (?:my|our|the|this) (?:project|code|app|codebase|repo|application|service)|plugin (?:system|architecture|api)|(?:high|low)[- ]level design)\b/i },
  { kind: 'design', label: 'design-weak', weight: 3, re: /\b(?:design(?:ing)? (?:a|an|the|my|our|this)|scalab\w*|microservices?|data model|schema design|abstraction layers?|domain model|event[- ]driven|separation of concerns)\b/i },
];

/** Leading verb of the message (after polite openers), mapped to a kind. */
const LEAD_RE =
  /^\s*(?:(?:please|pls|hey|hi|ok|okay|so|now|then|also|quick(?:ly)?|can you|could you|would you|will you|i need you to|i want you to|i'd like you to|help me|let's|lets|go ahead and)[\s,:]+)*([a-z]+)/i;
const LEAD_VERBS: Readonly<Record<string, TextKind>> = {
  fix: 'fix', debug: 'fix', resolve: 'fix', repair: 'fix', patch: 'fix', diagnose: 'fix', troubleshoot: 'fix', review: 'fix', audit: 'fix',
  test: 'test',
  document: 'document', comment: 'document', annotate: 'document',
  rename: 'rename',
  refactor: 'refactor', extract: 'refactor', inline: 'refactor', simplify: 'refactor', move: 'refactor', reorganize: 'refactor', reorganise: 'refactor', clean: 'refactor', tidy: 'refactor', convert: 'refactor', optimize: 'refactor', optimise: 'refactor', split: 'refactor',
  explain: 'explain', describe: 'explain', summarize: 'explain', summarise: 'explain', walk: 'explain',
  design: 'design', architect: 'design', propose: 'design', plan: 'design',
  implement: 'generate', write: 'generate', solve: 'generate', complete: 'generate', finish: 'generate', create: 'generate', add: 'generate', build: 'generate', generate: 'generate', make: 'generate',
};
const LEAD_WEIGHT = 3;
const LEAD_GENERATE_WEIGHT = 1;
const QUESTION_RE = /^\s*(?:what|why|how|when|where|which|who|is|are|does|do|can|should)\b|\?\s*$/i;
const STACK_WEIGHT = 3;

const MULTI_FILE_RE =
  /\b(?:across (?:the |this |our |my |all |these |those |several |multiple |many )?(?:\d+ )?(?:whole |entire )?(?:codebase|code base|project|repo(?:sitory)?|files|modules|packages|services|components)|(?:every|each|all) (?:files?|modules?|call ?sites?|callers|usages?|occurrences|references)|multiple files|several files|many files|(?:whole|entire) (?:codebase|project|repo(?:sitory)?)|monorepo|everywhere)\b/i;
/** Files named in the message from which the request counts as multi-file. */
export const MULTI_FILE_MIN_FILES = 3;

/** Agentic: tools offered and at least this many tool results … */
export const AGENTIC_MIN_TOOL_RESULTS = 3;
/** … or at least one tool result in a history at least this long. */
export const AGENTIC_MIN_MESSAGES = 8;

/** Stack traces of common runtimes (Node, JVM, .NET, Python, Go, Rust, Ruby, PHP). Every one has a frame or
 * header line that starts (after indentation) with a marker (`at `, `from `, `Traceback (`, `File "`,
 * `goroutine `, `panic: `, `thread '`, `#<digit>`); one pass over line starts looks for a marker, and only
 * then the exact patterns run. Long pasted code without a trace costs one newline scan. */
const STACK_RE = new RegExp(
  [
    String.raw`^[ \t]+at (?:async )?[\w$.<>\[\] ]+ \([^()\n]+:\d+:\d+\)[ \t]*\r?$`, // Node
    String.raw`^[ \t]+at [^\s()]+:\d+:\d+[ \t]*\r?$`, // Node, anonymous frame
    String.raw`^[ \t]+at [\w$.]+\([\w$]+\.(?:java|kt|scala):\d+\)`, // JVM
    String.raw`^[ \t]+at .+ in .+:line \d+`, // .NET
    String.raw`^Traceback \(most recent call last\)`, // Python
    String.raw`^goroutine \d+ \[`, // Go
    String.raw`^panic: `, // Go
    String.raw`^thread '[^'\n]+' panicked at`, // Rust
    String.raw`^[ \t]+from .+\.rb:\d+:in `, // Ruby
    String.raw`^#\d+ .+\.php\(\d+\)`, // PHP
  ].join('|'),
  'm',
);

export function hasStackTrace(text: string): boolean {
  return hasStackMarker(text) && STACK_RE.test(text);
}

function hasStackMarker(text: string): boolean {
  const n = text.length;
  let line = 0;
  while (line < n) {
    let i = line;
    let c = text.charCodeAt(i);
    while (c === 32 || c === 9) c = text.charCodeAt(++i);
    // Dispatch on the first character so an ordinary line costs one comparison chain.
    switch (c) {
      case 97 /* a */: if (text.startsWith('at ', i)) return true; break;
      case 102 /* f */: if (text.startsWith('from ', i)) return true; break;
      case 84 /* T */: if (text.startsWith('Traceback (', i)) return true; break;
      case 70 /* F */: if (text.startsWith('File "', i)) return true; break;
      case 103 /* g */: if (text.startsWith('goroutine ', i)) return true; break;
      case 112 /* p */: if (text.startsWith('panic: ', i)) return true; break;
      case 116 /* t */: if (text.startsWith("thread '", i)) return true; break;
      case 35 /* # */: { const d = text.charCodeAt(i + 1); if (d >= 48 && d <= 57) return true; break; }
    }
    const next = text.indexOf('\n', i);
    if (next < 0) break;
    line = next + 1;
  }
  return false;
}

/** Instructions up to this long are read whole for task words. Longer ones are read at their ends only (the
 * ask: the first paragraph and the last), not in the middle, where a pasted problem statement, issue text or
 * log sits: "each test case" in a contest problem is not a request for tests. A first paragraph that is a
 * lead-in ending in a colon is the ask at any length (with a closing paragraph that talks to the assistant). */
export const ASK_FULL_CHARS = 800;
const ASK_HEAD_CHARS = 600;
const ASK_TAIL_CHARS = 400;
const PARAGRAPH_BREAK_RE = /\n[ \t]*\n/;

/** A closing paragraph that still talks to the assistant ("Please complete the code above…", "Why does it
 * crash?") after pasted material. */
const ASK_TAIL_RE = /^(?:please|pls|can|could|would|will|why|how|what|where|which|is|are|does|do|should|make sure|note|also|then|now|and|but)\b|\?\s*$/i;

/** The part of the instruction that says what to do (see ASK_FULL_CHARS). Blocks are paragraphs when the
 * text has blank lines, else lines (the envelope reader joins the user's words line by line). */
export function askOf(prose: string): string {
  const text = prose.trim();
  const paragraphs = PARAGRAPH_BREAK_RE.test(text);
  const firstEnd = paragraphs ? PARAGRAPH_BREAK_RE.exec(text)!.index : lineEnd(text);
  const lastStart = paragraphs ? lastParagraphStart(text) : text.lastIndexOf('\n') + 1;
  // A lead-in ("Fix this issue in the X repository:", "Solve this problem:") introduces pasted material,
  // whatever its length: the ask is the lead-in, plus a closing block that talks to the assistant.
  if (firstEnd < text.length && firstEnd <= ASK_HEAD_CHARS && text.charCodeAt(firstEnd - 1) === 58 /* : */) {
    const tail = lastStart > firstEnd ? text.slice(lastStart).trim() : '';
    return tail.length > 0 && tail.length <= ASK_TAIL_CHARS && ASK_TAIL_RE.test(tail) ? `${text.slice(0, firstEnd)}\n\n${tail}` : text.slice(0, firstEnd);
  }
  if (text.length <= ASK_FULL_CHARS) return text;
  const head = text.slice(0, Math.min(firstEnd, ASK_HEAD_CHARS));
  let tailStart = text.length - ASK_TAIL_CHARS;
  if (lastStart > firstEnd && text.length - lastStart <= ASK_TAIL_CHARS) tailStart = lastStart;
  if (tailStart <= head.length) return text.slice(0, ASK_HEAD_CHARS + ASK_TAIL_CHARS);
  return `${head}\n\n${text.slice(tailStart).trim()}`;
}

function lineEnd(text: string): number {
  const i = text.indexOf('\n');
  return i < 0 ? text.length : i;
}

function lastParagraphStart(text: string): number {
  for (let i = text.lastIndexOf('\n'); i > 0; i = text.lastIndexOf('\n', i - 1)) {
    let j = i - 1;
    while (j >= 0 && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j--;
    if (j >= 0 && text.charCodeAt(j) === 10) return i + 1;
  }
  return -1;
}

export interface Classification {
  kind: TaskKind;
  task: TaskClass;
  /** Cues that decided the class, e.g. `cue:rename`, `lead:fix`, `stackTrace`, `files:6`. */
  signals: string[];
  /** Whether the message looks multi-file (for the difficulty signals). */
  multiFilePhrase: boolean;
  hasStackTrace: boolean;
  /** The ask (askOf): where the task words were read. */
  ask: string;
}

export function classifyTask(request: ChatRequest): { task: TaskClass; signals: string[] } {
  const c = classifyFeatures(extractFeatures(request));
  return { task: c.task, signals: c.signals };
}

export function classifyFeatures(f: RequestFeatures): Classification {
  if (f.surface === 'inline' || f.hasSuffix) {
    const signals = [f.hasSuffix ? 'fimSuffix' : 'surface:inline'];
    return { kind: 'completion', task: 'completion', signals, multiFilePhrase: false, hasStackTrace: false, ask: '' };
  }
  const stackTrace = f.text.length > 0 && stackTraceOnce(f, hasStackTrace);
  const ask = askOf(f.prose);
  const multiFilePhrase = ask.length > 0 && MULTI_FILE_RE.test(ask);
  // Files named in the ask (a long issue's traceback names files the user did not bring in).
  const files = ask.length === f.prose.trim().length ? f.files : Math.max(measureShape([], ask).filesNamed, f.envelope.shape.attachments);
  if (
    f.tools > 0 &&
    (f.toolResults >= AGENTIC_MIN_TOOL_RESULTS || (f.toolResults >= 1 && f.messages >= AGENTIC_MIN_MESSAGES))
  ) {
    return {
      kind: 'agentic',
      task: 'agentic',
      signals: [`tools:${f.tools}`, `toolResults:${f.toolResults}`, `messages:${f.messages}`],
      multiFilePhrase,
      hasStackTrace: stackTrace,
      ask,
    };
  }

  const signals: string[] = [];
  const best = bestTextKind(ask, stackTrace, signals);
  const prose = ask;

  const multiFile = multiFilePhrase || files >= MULTI_FILE_MIN_FILES;
  if (multiFilePhrase) signals.push('cue:multi-file');
  if (files >= MULTI_FILE_MIN_FILES) signals.push(`files:${files}`);

  let kind: TaskKind;
  if (multiFile && best !== 'design' && best !== 'explain') kind = 'multiFile';
  else if (best !== undefined) kind = best;
  else kind = QUESTION_RE.test(prose) ? 'explain' : 'generate';
  signals.unshift(`kind:${kind}`);
  return { kind, task: KIND_TO_TASK[kind], signals, multiFilePhrase, hasStackTrace: stackTrace, ask };
}

/** The kind of request the words of the ask point to most (cues, the leading verb, a question, a stack
 *  trace), undefined when none; each cue that counted is added to `signals`. */
function bestTextKind(prose: string, stackTrace: boolean, signals: string[]): TextKind | undefined {
  // Scores indexed like KIND_PRIORITY.
  let design = 0, fix = 0, test = 0, document = 0, rename = 0, refactor = 0, generate = 0, explain = 0;
  const add = (kind: TextKind, w: number): void => {
    switch (kind) {
      case 'design': design += w; break;
      case 'fix': fix += w; break;
      case 'test': test += w; break;
      case 'document': document += w; break;
      case 'rename': rename += w; break;
      case 'refactor': refactor += w; break;
      case 'generate': generate += w; break;
      case 'explain': explain += w; break;
    }
  };
  if (prose.length > 0) {
    for (let i = 0; i < CUES.length; i++) {
      const cue = CUES[i];
      if (cue.re.test(prose)) {
        add(cue.kind, cue.weight);
        signals.push(`cue:${cue.label}`);
      }
    }
    const lead = LEAD_RE.exec(prose);
    if (lead) {
      const verb = lead[1].toLowerCase();
      const kind = LEAD_VERBS[verb];
      if (kind !== undefined) {
        add(kind, kind === 'generate' ? LEAD_GENERATE_WEIGHT : LEAD_WEIGHT);
        signals.push(`lead:${verb}`);
      }
    }
    if (QUESTION_RE.test(prose)) {
      add('explain', 1);
      signals.push('question');
    }
  }
  if (stackTrace) {
    add('fix', STACK_WEIGHT);
    signals.push('stackTrace');
  }

  let best: TextKind | undefined;
  let bestScore = 0;
  const scores = [design, fix, test, document, rename, refactor, generate, explain];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > bestScore) {
      bestScore = scores[i];
      best = KIND_PRIORITY[i];
    }
  }
  return best;
}
