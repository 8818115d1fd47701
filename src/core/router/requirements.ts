// What a request needs from a model: a capability score (0–100, the scale of ModelSpec.capability.score)
// and an expected number of output tokens, both from the task kind, the former raised by difficulty
// signals (difficulty.ts) and clamped to 0–100.
//
// Base capability per task kind. The scale is the catalog's coding score (0–100, from a public coding
// benchmark): roughly, small local coders (1.5–3B) sit around 25–45, 7–14B coders 45–65, 30B-class local
// models and small cloud models 60–75, frontier models 80+. The bases put a task where models of that
// size are known to do it reliably:
//
// | kind       | reported as | base | expected output tokens | why                                                   |
// |------------|-------------|-----:|-----------------------:|-------------------------------------------------------|
// | completion | completion  |   20 |                     64 | FIM of a line or block: 1.5B coders are built for it   |
// | rename     | refactor    |   25 |                    300 | mechanical; the model echoes the edited span           |
// | document   | document    |   30 |                    350 | docstrings/comments describe visible code              |
// | refactor   | refactor    |   35 |                    700 | extract/inline/simplify within one place               |
// | explain    | explain     |   40 |                    600 | reading one function or concept                        |
// | test       | test        |   45 |                    900 | must infer behaviour and edge cases                    |
// | generate   | refactor    |   45 |                    800 | new code from a description                            |
// | fix        | fix         |   50 |                    700 | diagnosis before the edit                              |
// | multiFile  | multiFile   |   65 |                   2000 | coordinated edits; consistency across files            |
// | design     | design      |   75 |                   1500 | trade-offs and structure: where frontier models pay    |
// | agentic    | agentic     |   75 |                   1200 | per turn; tool use over a long loop compounds errors   |
//
// Expected output tokens are per request (one turn of an agent) and are capped by the request's
// maxOutputTokens; the router caps them again by each model's maxOutputTokens.
import type { ChatRequest, TaskClass } from '../types';
import { difficulty } from './difficulty';
import { extractFeatures, RequestFeatures } from './features';
import { Classification, classifyFeatures, TaskKind } from './taskClassifier';

export const BASE_CAPABILITY: Readonly<Record<TaskKind, number>> = {
  completion: 20,
  rename: 25,
  document: 30,
  refactor: 35,
  explain: 40,
  test: 45,
  generate: 45,
  fix: 50,
  multiFile: 65,
  design: 75,
  agentic: 75,
};

export const EXPECTED_OUTPUT_TOKENS: Readonly<Record<TaskKind, number>> = {
  completion: 64,
  rename: 300,
  document: 350,
  refactor: 700,
  explain: 600,
  test: 900,
  generate: 800,
  fix: 700,
  multiFile: 2000,
  design: 1500,
  agentic: 1200,
};

export interface Requirements {
  kind: TaskKind;
  task: TaskClass;
  /** Required capability score, 0–100. */
  required: number;
  base: number;
  /** Classification cues followed by difficulty signals (`concurrency+15`). */
  signals: string[];
  /** Names of the difficulty signals only (`concurrency`, `manyFiles`), for reasons. */
  difficultyNames: string[];
  expectedOutputTokens: number;
  features: RequestFeatures;
  classification: Classification;
}

export function requiredCapability(
  request: ChatRequest,
  inputTokens: number,
): { task: TaskClass; required: number; signals: string[]; expectedOutputTokens: number } {
  const r = analyseRequest(request, inputTokens);
  return { task: r.task, required: r.required, signals: r.signals, expectedOutputTokens: r.expectedOutputTokens };
}

/** Everything decide() needs from the request itself, computed once. */
export function analyseRequest(request: ChatRequest, inputTokens: number): Requirements {
  const features = extractFeatures(request);
  const classification = classifyFeatures(features);
  const kind = classification.kind;
  const d = difficulty({
    features,
    inputTokens: Number.isFinite(inputTokens) && inputTokens > 0 ? inputTokens : 0,
    hasStackTrace: classification.hasStackTrace,
    multiFilePhrase: classification.multiFilePhrase,
    completion: kind === 'completion',
  });
  const base = BASE_CAPABILITY[kind];
  const required = Math.max(0, Math.min(100, base + d.raise));
  let expected = EXPECTED_OUTPUT_TOKENS[kind];
  const cap = request.maxOutputTokens;
  if (typeof cap === 'number' && Number.isFinite(cap) && cap > 0 && cap < expected) expected = Math.floor(cap);
  const difficultyNames = d.signals.map(signalName);
  return {
    kind,
    task: classification.task,
    required,
    base,
    signals: classification.signals.concat(d.signals),
    difficultyNames,
    expectedOutputTokens: expected,
    features,
    classification,
  };
}

/** `manyFiles:6+15` -> `manyFiles`. */
function signalName(s: string): string {
  let end = s.length;
  const colon = s.indexOf(':');
  const plus = s.indexOf('+');
  if (colon >= 0) end = colon;
  else if (plus >= 0) end = plus;
  return s.slice(0, end);
}
