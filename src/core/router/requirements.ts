// What a request needs from a model: a capability score (0–100, the scale of ModelSpec.capability.score)
// and an expected number of output tokens, both from the task kind, the former raised by difficulty
// signals (difficulty.ts) and clamped to 0–100.
//
// Base capability per task kind, on the catalog's scale: ModelSpec.capability.score is the Aider polyglot
// pass rate (%) or its mapped equivalent (src/core/catalog/capability.ts). That benchmark is hard, so the
// scale is compressed at the bottom: Qwen2.5-Coder 0.5B/1.5B/3B/7B/14B/32B score 1.0/3.2/5.6/9.5/12.2/16.4,
// recent 20–30B local models (qwen3-coder:30b, gpt-oss:20b, devstral) and small cloud models 50–61,
// gpt-5-mini / claude-haiku-4-5 71–73, frontier models (claude-sonnet-4-5, gemini-2.5-pro, claude-opus-4-5,
// gpt-5) 77–88. The bases put each task where models of that size do it reliably:
//
// | kind       | reported as | base | expected output tokens | who qualifies at the base / why                          |
// |------------|-------------|-----:|-----------------------:|----------------------------------------------------------|
// | completion | completion  |    2 |                     64 | 1.5B coders (the usual autocomplete size) and up          |
// | rename     | refactor    |    2 |                    300 | mechanical: the model echoes the edited span              |
// | document   | document    |    3 |                    350 | docstrings/comments describe visible code: 1.5B and up   |
// | refactor   | refactor    |    5 |                    700 | extract/inline/simplify in one place: 3B and up           |
// | explain    | explain     |    5 |                    600 | reading one function or concept: 3B and up                |
// | test       | test        |    9 |                    900 | must infer behaviour and edge cases: 7B and up            |
// | generate   | refactor    |    9 |                    800 | new code from a description: 7B and up                    |
// | fix        | fix         |   10 |                    700 | diagnosis before the edit: 14B-class and up               |
// | multiFile  | multiFile   |   45 |                   2000 | coordinated edits: 20–30B current local models and up     |
// | design     | design      |   70 |                   1500 | structure and trade-offs: gpt-5-mini class and up         |
// | agentic    | agentic     |   65 |                   1200 | per turn; errors compound over a tool loop (+history)     |
//
// With the difficulty raises (difficulty.ts) a design question over 6+ files lands at 78 and an agent loop
// of 30+ messages at 75 (frontier models only: claude-sonnet-4-5 and up); a race condition or a security
// review needs 40+ (no Qwen2.5-Coder size qualifies).
// Expected output tokens are per request (one turn of an agent) and are capped by the request's
// maxOutputTokens; the router caps them again by each model's maxOutputTokens.
import type { ChatRequest, TaskClass } from '../types';
import { difficulty } from './difficulty';
import { calibratedDifficulty } from './difficultyModel';
import type { Envelope } from './envelope';
import { extractFeatures, RequestFeatures } from './features';
import { Classification, classifyFeatures, TaskKind } from './taskClassifier';

export const BASE_CAPABILITY: Readonly<Record<TaskKind, number>> = {
  completion: 2,
  rename: 2,
  document: 3,
  refactor: 5,
  explain: 5,
  test: 9,
  generate: 9,
  fix: 10,
  multiFile: 45,
  design: 70,
  agentic: 65,
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
  envelope?: Envelope,
): { task: TaskClass; required: number; signals: string[]; expectedOutputTokens: number } {
  const r = analyseRequest(request, inputTokens, envelope);
  return { task: r.task, required: r.required, signals: r.signals, expectedOutputTokens: r.expectedOutputTokens };
}

/** Everything decide() needs from the request itself, computed once (`envelope`: when the caller has
 * already read it, e.g. the pipeline, which reads each request's envelope once). */
export function analyseRequest(request: ChatRequest, inputTokens: number, envelope?: Envelope): Requirements {
  const features = extractFeatures(request, envelope);
  const classification = classifyFeatures(features);
  const kind = classification.kind;
  // Kinds covered by public per-problem results take their requirement from the fitted model.
  const calibrated = calibratedDifficulty(kind, features, classification.ask);
  const d = difficulty({
    features,
    ask: classification.ask,
    calibrated: calibrated !== undefined,
    inputTokens: Number.isFinite(inputTokens) && inputTokens > 0 ? inputTokens : 0,
    hasStackTrace: classification.hasStackTrace,
    multiFilePhrase: classification.multiFilePhrase,
    completion: kind === 'completion',
    agentic: kind === 'agentic',
  });
  const base = calibrated ? calibrated.required : BASE_CAPABILITY[kind];
  const required = Math.max(0, Math.min(100, base + d.raise));
  const calibratedSignals = calibrated
    ? [`model:${calibrated.model}`, `tier:${calibrated.tier}`, `p:${calibrated.probabilities.map((p) => p.toFixed(2)).join('/')}`, ...calibrated.drivers]
    : [];
  let expected = EXPECTED_OUTPUT_TOKENS[kind];
  const cap = request.maxOutputTokens;
  if (typeof cap === 'number' && Number.isFinite(cap) && cap > 0 && cap < expected) expected = Math.floor(cap);
  const difficultyNames = d.signals.map(signalName);
  return {
    kind,
    task: classification.task,
    required,
    base,
    signals: classification.signals.concat(calibratedSignals, d.signals),
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
