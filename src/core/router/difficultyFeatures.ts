// The numbers the calibrated difficulty model reads (difficultyModel.ts): what the *problem* looks like, not
// what the user asks to be done with it (that is the task class, taskClassifier.ts).
//
// Input: the envelope's instruction (envelope.ts: the user's own words; a pasted problem statement or issue
// text stays in it) and the pasted context (code, logs, attachments) with its shape (contextShape.ts). Every
// feature is a plain count or size, so
// the fitted weights (difficulty-params.json) say how much each one moves the required tier:
//
// | feature        | what is counted                                                                        |
// |----------------|----------------------------------------------------------------------------------------|
// | textChars      | log2(1 + characters of the instruction): the size of the statement or issue            |
// | codeLines      | log2(1 + lines of code in the context): the size of the code given or to change        |
// | ioSpec         | input/output-format sections ("Input", "Output", "standard input", "the first line contains") |
// | examples       | worked examples ("Example 1:", "Input: …", doctest `>>>` lines count as a third each)  |
// | bound          | largest problem-size bound stated, as log10 (`n ≤ 2·10^5` -> 5.3; `<= 10^9` -> 9)       |
// | constraints    | log2(1 + constraint expressions: `1 <= n <= 10^5`, `0 ≤ a_i ≤ 10^9`, time/memory limits)|
// | interactive    | an interactive protocol (interactor, "flush the output")                                |
// | modular        | answers modulo a prime (`modulo 10^9 + 7`, 998244353)                                   |
// | numberTheory   | distinct number-theory terms (prime, gcd, lcm, divisor, coprime, factorial, binomial…)  |
// | graph          | distinct graph/tree terms (vertex, edge, tree, shortest path, connected component…)     |
// | combinatorics  | distinct counting/optimisation terms ("number of ways", subsequence, lexicographically…)|
// | geometry       | distinct geometry terms (polygon, convex, coordinates, segment, circle…)                |
// | queries        | online queries or multiple test cases ("q queries", "t test cases")                     |
// | stackTraces    | pasted runtime stack traces (the context's shape)                                      |
// | errorLines     | log2(1 + log/compiler lines reporting an error, the context's shape)                    |
// | filesNamed     | distinct files named or attached (the context's shape)                                  |
// | links          | URLs in the text (issue cross-references, linked discussions)                           |
//
// Vocabulary features count *distinct* terms, so a long statement that repeats "vertex" is not a graph
// problem ten times over. Only the first MAX_TEXT_SCAN characters of the instruction (head and tail) and
// MAX_CONTEXT_SCAN of the context are read, so a decision stays cheap on a large Agent-mode request.
import { ContextShape, measureShape } from './contextShape';

/** The counts of the context's shape the model uses (the envelope reader's ContextShape). */
export type ShapeCounts = Pick<ContextShape, 'codeLines' | 'stackTraces' | 'errorLines' | 'filesNamed'>;

export interface ProblemInput {
  /** The user's own words (a pasted statement or issue text included). */
  instruction: string;
  /** Pasted or attached material (code, logs). */
  context: string;
  /** The context's shape as the envelope reader measured it; when absent, the context is measured as one
   * piece of code. */
  shape?: ShapeCounts;
}

export const FEATURE_NAMES = [
  'textChars', 'codeLines', 'ioSpec', 'examples', 'bound', 'constraints', 'interactive', 'modular',
  'numberTheory', 'graph', 'combinatorics', 'geometry', 'queries', 'stackTraces', 'errorLines', 'filesNamed', 'links',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type FeatureVector = Record<FeatureName, number>;

/** Characters of the instruction read (head and tail kept when longer). */
export const MAX_TEXT_SCAN = 12_000;
/** Characters of the context read line by line. */
export const MAX_CONTEXT_SCAN = 60_000;

const IO_SPEC_RE =
  /^[ \t]*(?:#+[ \t]*)?(?:\*\*)?(?:input|output)(?:[ \t]+(?:format|specification))?(?:\*\*)?[ \t]*:?[ \t]*$|\bstandard (?:input|output)\b|\bstdin\b|\bstdout\b|\bthe (?:first|second|next) line (?:of (?:the )?input )?contains\b|\beach of the (?:next|following) \w+ lines\b|\b(?:print|output) (?:a single|one|the answer|an integer|\w+ integers?)\b/gim;
const EXAMPLE_RE = /^[ \t]*(?:#+[ \t]*)?(?:\*\*)?(?:example|sample)(?:[ \t]+(?:input|test))?[ \t]*\d*[ \t]*:?(?:\*\*)?[ \t]*:?[ \t]*$|^[ \t]*(?:\*\*)?input:?(?:\*\*)?:?[ \t]+\S/gim;
const DOCTEST_RE = /^[ \t]*>>>[ \t]/gm;
// A bound: a comparison with a number, written as digits, `k·10^e`, `10**e`, `1e5`, or LeetCode's flattened
// superscript (`10<sup>5</sup>` scraped as `105`; read as 10^5 only after a comparison or a `*`).
const BOUND_RE =
  /(?:≤|<=|<|≥|>=|\bat most|\bup to|\bnot exceed(?:ing)?)\s*(-?\s*\d+(?:[.,]\d+)?(?![\d.,]|\s*(?:\^|\*\*)))?\s*(?:(?:[·⋅*×x]|\\cdot)\s*)?(?:10\s*\^\s*\{?\s*(\d{1,2})\s*\}?|10\s*\*\*\s*(\d{1,2})|(?<=\d)e(\d{1,2})\b)?/gi;
const CONSTRAINT_RE =
  /(?:\b[a-zA-Z](?:_?\w{0,12})?(?:\.length|\[i\])?\s*(?:≤|<=|<)\s*(?:\d|10\b)|(?:≤|<=)\s*[a-zA-Z](?:_?\w{0,12})?(?:\.length|\[i\])?\s*(?:≤|<=)|\btime limit\b|\bmemory limit\b)/gi;
/** Any comparison a bound or a constraint needs. */
const COMPARISON_RE = /[<>≤≥]|\bat most\b|\bup to\b|\bnot exceed/i;
const INTERACTIVE_RE = /\binteractive (?:problem|task)\b|\binteractor\b|\bflush(?:es|ing)? the output\b|\bfflush\b|\bsys\.stdout\.flush\b/i;
const MODULAR_RE = /\bmod(?:ulo)?\s*\(?\s*(?:10\s*\^\s*9\s*\+\s*7|1000000007|1\s*000\s*000\s*007|998\s*?244\s*?353|10\s*\*\*\s*9\s*\+\s*7|109\s*\+\s*7)|\b(?:998244353|1000000007)\b|\bmodular (?:arithmetic|inverse)\b/i;

const NUMBER_THEORY_TERMS = /\b(prime(?:s| numbers?| factors?)?|gcd|greatest common divisor|lcm|least common multiple|divisors?|divisible|coprime|relatively prime|factori[sz]ation|factorial|binomial|modular inverse|congruen(?:t|ce)|euler|fibonacci|parity|bitwise (?:xor|and|or)|xor)\b/gi;
const GRAPH_TERMS = /\b(graph|vert(?:ex|ices)|edges?|trees?|rooted|root|leaf|leaves|nodes?|shortest path|simple path|paths?|connected(?: component)?s?|cycles?|bipartite|directed|undirected|adjacen(?:t|cy)|dfs|bfs|spanning|ancestor|subtree|lowest common ancestor|topological|dag|grid|cells?)\b/gi;
const COMBINATORICS_TERMS = /\b(number of ways|how many ways|count (?:the number of|all)|number of (?:distinct|different|possible)|subsequences?|subarrays?|substrings?|permutations?|combinations?|lexicographically|minimum (?:number|possible|total|cost)|maximum (?:number|possible|total|sum|value)|minimi[sz]e|maximi[sz]e|optimal(?:ly)?|expected value|probability|game|winner|wins)\b/gi;
const GEOMETRY_TERMS = /\b(polygons?|convex(?: hull)?|coordinates?|segments?|circles?|radius|triangles?|rectangles?|intersect(?:s|ion)?|area|perimeter|angles?|plane|distance)\b/gi;
const QUERIES_RE = /\b(?:\d+|q|t|each|next|following)\s+(?:queries|test cases)\b|\bqueries\b|\bmultiple test cases\b|\btest cases?\b/i;
const URL_RE = /\bhttps?:\/\/\S+/g;
export function emptyFeatures(): FeatureVector {
  const v = {} as FeatureVector;
  for (const n of FEATURE_NAMES) v[n] = 0;
  return v;
}

export function problemFeatures(input: ProblemInput): FeatureVector {
  const text = capText(input.instruction);
  const context = input.context.length > MAX_CONTEXT_SCAN ? input.context.slice(0, MAX_CONTEXT_SCAN) : input.context;
  const shape = input.shape ?? measureShape(context.length > 0 ? [{ text: context, code: true, attachment: false }] : [], input.instruction);
  const v = emptyFeatures();
  v.textChars = Math.log2(1 + input.instruction.length);
  v.codeLines = Math.log2(1 + shape.codeLines);
  if (text.length > 0) {
    // Cheap guards first: most requests have no I/O sections, comparisons, moduli or links.
    const lower = text.length <= MAX_TEXT_SCAN ? text.toLowerCase() : text;
    const io = lower.includes('put') || lower.includes('line') || lower.includes('print') || lower.includes('std');
    if (io) v.ioSpec = Math.min(4, countMatches(IO_SPEC_RE, text));
    if (lower.includes('example') || lower.includes('sample') || lower.includes('input') || text.includes('>>>')) {
      v.examples = Math.min(4, countMatches(EXAMPLE_RE, text) + countMatches(DOCTEST_RE, text) / 3);
    }
    if (COMPARISON_RE.test(text)) {
      v.bound = maxBoundLog10(text);
      v.constraints = Math.log2(1 + countMatches(CONSTRAINT_RE, text));
    } else if (lower.includes('limit')) v.constraints = Math.log2(1 + countMatches(CONSTRAINT_RE, text));
    if (lower.includes('interact') || lower.includes('flush')) v.interactive = INTERACTIVE_RE.test(text) ? 1 : 0;
    if (lower.includes('mod') || text.includes('998') || text.includes('000000007')) v.modular = MODULAR_RE.test(text) ? 1 : 0;
    v.numberTheory = distinctTerms(NUMBER_THEORY_TERMS, text, 4);
    v.graph = distinctTerms(GRAPH_TERMS, text, 6);
    v.combinatorics = distinctTerms(COMBINATORICS_TERMS, text, 6);
    v.geometry = distinctTerms(GEOMETRY_TERMS, text, 4);
    if (lower.includes('quer') || lower.includes('test case')) v.queries = QUERIES_RE.test(text) ? 1 : 0;
    if (lower.includes('http')) v.links = Math.min(4, countMatches(URL_RE, text));
  }
  // Doctests in the pasted code are worked examples too (a function stub with its docstring).
  if (context.length > 0 && context.indexOf('>>>') >= 0) v.examples = Math.min(4, v.examples + countMatches(DOCTEST_RE, context) / 3);
  v.stackTraces = Math.min(3, shape.stackTraces);
  v.errorLines = Math.log2(1 + shape.errorLines);
  v.filesNamed = Math.min(8, shape.filesNamed);
  return v;
}

/** Head and tail of a long instruction (the ask and the constraints usually sit at its ends). */
function capText(text: string): string {
  if (text.length <= MAX_TEXT_SCAN) return text;
  const head = Math.floor(MAX_TEXT_SCAN * 0.75);
  return text.slice(0, head) + '\n' + text.slice(text.length - (MAX_TEXT_SCAN - head));
}

function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  re.lastIndex = 0;
  return n;
}

function distinctTerms(re: RegExp, text: string, cap: number): number {
  re.lastIndex = 0;
  const seen = new Set<string>();
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    seen.add(singular(m[1].toLowerCase()));
    if (seen.size >= cap) break;
  }
  re.lastIndex = 0;
  return seen.size;
}

function singular(w: string): string {
  if (w === 'vertices') return 'vertex';
  if (w === 'leaves') return 'leaf';
  return w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
}

/** log10 of the largest bound stated in a comparison (0 when none, capped at 18). */
export function maxBoundLog10(text: string): number {
  BOUND_RE.lastIndex = 0;
  let best = 0;
  let m: RegExpExecArray | null;
  while ((m = BOUND_RE.exec(text)) !== null) {
    if (m[0].length === 0) { BOUND_RE.lastIndex++; continue; }
    const mantissaText = m[1]?.replace(/[\s,]/g, '');
    const exp = m[2] ?? m[3] ?? m[4];
    let value: number | undefined;
    if (exp !== undefined) {
      const mant = mantissaText !== undefined && mantissaText !== '' ? Math.abs(Number(mantissaText)) : 1;
      value = Math.log10(Math.max(1, mant)) + Number(exp);
    } else if (mantissaText !== undefined && mantissaText !== '') {
      const digits = mantissaText.replace(/^-/, '');
      const num = Number(digits);
      // LeetCode's flattened superscripts: `<= 105` is 10^5, `<= 2 * 104` is 2·10^4, `-109 <= x` is -10^9.
      const flattened = /^10[1-9]$/.test(digits) && (m[0].includes('*') || /(?:≤|<=)\s*-?\s*10[1-9]\b/.test(m[0]));
      if (flattened) value = Number(digits.slice(2));
      else if (Number.isFinite(num) && num > 0) value = Math.log10(num);
    }
    if (value !== undefined && value > best) best = value;
  }
  BOUND_RE.lastIndex = 0;
  // Flattened superscripts after a multiplication (`5 * 105` -> 5·10^5) and in `-109 <= nums[i] <= 109`.
  const flat = /(?:(\d+)\s*\*\s*10([1-9])\b|(?:≤|<=)\s*-?10([1-9])\b|-10([1-9])\s*(?:≤|<=))/g;
  while ((m = flat.exec(text)) !== null) {
    const v = m[1] !== undefined ? Math.log10(Number(m[1])) + Number(m[2]) : Number(m[3] ?? m[4]);
    if (v > best) best = v;
  }
  return Math.min(18, Math.round(best * 100) / 100);
}
