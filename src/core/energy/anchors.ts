// Published reference points the energy model is checked against (tests and docs/energy-model.md use this).
import { Catalog } from '../catalog/catalog';
import { ModelSpec, TokenCounts } from '../types';
import { acceleratorJoulesPerOutputToken, cloudEnergy } from './cloudEnergy';
import { ecologitsEnergyWh } from './ecologits';
import { MEASURED_CONTEXT_TOKENS, MLENERGY_CLASSES, MLENERGY_MEASUREMENTS, ModelClass, referenceModel } from './mlenergy';
import { Range } from './range';

export interface AnchorResult {
  id: string;
  anchor: string;
  published: number;
  unit: 'Wh' | 'J/token';
  scenario: string;
  wh: number;
  low: number;
  high: number;
  /** Model central / published. */
  ratio: number;
  insideRange: boolean;
}

/** ML.ENERGY measurements: inside [low, high] and the centre within this factor. */
export const MLENERGY_FACTOR = 1.5;
/** Production anchors (Epoch, Google): inside [low, high]; the centre is reported, and Epoch's within 2x. */
export const ANCHOR_FACTOR = 2;

const tokens = (input: number, output: number): TokenCounts => ({ input, cachedInput: 0, output, reasoning: 0 });

function result(id: string, anchor: string, published: number, unit: AnchorResult['unit'], scenario: string, r: Range): AnchorResult {
  return { id, anchor, published, unit, scenario, wh: r.mid, low: r.low, high: r.high, ratio: r.mid / published, insideRange: published >= r.low && published <= r.high };
}

/** The five measured classes at batch 64, each as deployed (precision, GPU count) and compared at its batch. */
export function evaluateMlEnergyAnchors(): AnchorResult[] {
  return (Object.keys(MLENERGY_CLASSES) as ModelClass[]).map((cls) => {
    const m = MLENERGY_MEASUREMENTS.find((x) => x.cls === cls && x.batch === 64)!;
    const r = acceleratorJoulesPerOutputToken(referenceModel(cls), MEASURED_CONTEXT_TOKENS, m.batch);
    return result(`mlenergy-${cls}`, `ML.ENERGY v3: ${MLENERGY_CLASSES[cls].name}, batch ${m.batch}`, m.jPerToken, 'J/token',
      'accelerator energy per output token at the measured batch; no host overhead, no PUE', r);
  });
}

export interface FitPoint { cls: ModelClass; batch: number; measured: number; model: number; ratio: number }

/** Every measured point against the model's central value at that batch (the fit's residuals). */
export function mlEnergyFit(): FitPoint[] {
  return MLENERGY_MEASUREMENTS.map((m) => {
    const model = acceleratorJoulesPerOutputToken(referenceModel(m.cls), MEASURED_CONTEXT_TOKENS, m.batch).mid;
    return { cls: m.cls, batch: m.batch, measured: m.jPerToken, model, ratio: model / m.jPerToken };
  });
}

function catalogModel(catalog: Catalog, id: string, provider: ModelSpec['provider']): ModelSpec {
  const m = catalog.get(id, provider);
  if (!m) throw new Error(`anchors: catalog lacks ${provider}/${id}`);
  return m;
}

/** Production anchors: Epoch AI's GPT-4o estimates (short and long input) and Google's measured median prompt. */
export function evaluateProductionAnchors(catalog: Catalog = Catalog.builtIn()): AnchorResult[] {
  const gpt4o = catalogModel(catalog, 'gpt-4o', 'openai');
  const flash = catalogModel(catalog, 'gemini-2.5-flash', 'google');
  return [
    result('epoch-gpt-4o', 'Epoch AI (2025-02): ~0.3 Wh for a typical GPT-4o query with ~500 output tokens', 0.3, 'Wh',
      'gpt-4o, 100 input + 500 output tokens (Epoch assumes a short input)', cloudEnergy(gpt4o, tokens(100, 500))),
    result('epoch-gpt-4o-10k', 'Epoch AI (2025-02): ~2.5 Wh for a GPT-4o query with 10k input tokens (estimate, not a measurement)', 2.5, 'Wh',
      'gpt-4o, 10,000 input + 500 output tokens', cloudEnergy(gpt4o, tokens(10_000, 500))),
    result('epoch-gpt-4o-100k', 'Epoch AI (2025-02): ~40 Wh for a GPT-4o query with 100k input tokens (estimate, not a measurement)', 40, 'Wh',
      'gpt-4o, 100,000 input + 500 output tokens', cloudEnergy(gpt4o, tokens(100_000, 500))),
    result('google-gemini-median', 'Google (2025-08): 0.24 Wh for the median Gemini Apps text prompt (comprehensive: accelerators, host, idle, PUE)', 0.24, 'Wh',
      'gemini-2.5-flash, 2,000 input + 800 output tokens (assumption: Google publishes no token counts)', cloudEnergy(flash, tokens(2000, 800))),
  ];
}

export function evaluateAnchors(catalog: Catalog = Catalog.builtIn()): AnchorResult[] {
  return [...evaluateMlEnergyAnchors(), ...evaluateProductionAnchors(catalog)];
}

export interface EcoLogitsComparison { model: string; scenario: string; ours: Range; ecologits: Range; ratio: number }

/** Rightsize vs EcoLogits' own formulas for the same requests (EcoLogits counts output tokens only). */
export function compareWithEcoLogits(catalog: Catalog = Catalog.builtIn()): EcoLogitsComparison[] {
  const cases: Array<[string, ModelSpec['provider'], TokenCounts]> = [
    ['gpt-4o', 'openai', tokens(100, 500)],
    ['gpt-5', 'openai', tokens(100, 500)],
    ['claude-sonnet-4-5', 'anthropic', tokens(100, 500)],
    ['gemini-2.5-flash', 'google', tokens(100, 500)],
    ['gpt-4o-mini', 'openai', tokens(100, 500)],
  ];
  return cases.map(([id, provider, t]) => {
    const m = catalogModel(catalog, id, provider);
    const ours = cloudEnergy(m, t);
    const eco = ecologitsEnergyWh(m, t);
    return { model: id, scenario: `${t.input} in + ${t.output} out`, ours, ecologits: eco, ratio: ours.mid / eco.mid };
  });
}
