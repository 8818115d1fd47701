// Money: cloud requests from per-token prices; local requests from electricity (+ hardware amortisation).
// Token convention (types.ts TokenCounts): `input` includes `cachedInput`; `output` includes `reasoning`.
import { ModelPrices, TokenCounts } from '../types';
import { longContextPrices } from '../catalog/specExtensions';
import { count } from '../energy/cloudEnergy';

/** TokenCounts plus the optional count of input tokens written to a provider cache (Anthropic, GPT-5.6+).
 *  Part of `input`, like `cachedInput`. Not yet in types.ts; read when present. */
export interface TokenCountsWithCacheWrite extends TokenCounts { cacheWrite?: number }

const PER_MTOK = 1e-6;

/**
 * USD for one request at the model's per-token prices:
 *   fresh input (input - cachedInput - cacheWrite) x input price
 * + cachedInput x cached price (input price when none)
 * + cacheWrite x cache-write price (input price when none)
 * + (output - reasoning) x output price
 * + reasoning x reasoning price (output price when none).
 * Above a long-context threshold (when the catalog gives one) the whole request bills at that tier.
 */
export function cloudCostUsd(prices: ModelPrices, tokens: TokenCounts): number {
  const input = count(tokens.input);
  const cached = Math.min(count(tokens.cachedInput), input);
  const cacheWrite = Math.min(count((tokens as TokenCountsWithCacheWrite).cacheWrite), input - cached);
  const fresh = input - cached - cacheWrite;
  const output = count(tokens.output);
  const reasoning = Math.min(count(tokens.reasoning), output);

  let inP = prices.inputPerMTokUsd;
  let cachedP = prices.cachedInputPerMTokUsd ?? inP;
  let writeP = prices.cacheWritePerMTokUsd ?? inP;
  let outP = prices.outputPerMTokUsd;
  let reasonP = prices.reasoningPerMTokUsd ?? outP;
  const long = longContextPrices(prices);
  if (long && input > long.thresholdInputTokens) {
    inP = long.inputPerMTokUsd;
    cachedP = long.cachedInputPerMTokUsd ?? inP;
    writeP = long.cacheWritePerMTokUsd ?? inP;
    outP = long.outputPerMTokUsd;
    reasonP = prices.reasoningPerMTokUsd ?? outP;
  }
  return (fresh * inP + cached * cachedP + cacheWrite * writeP + (output - reasoning) * outP + reasoning * reasonP) * PER_MTOK;
}

export interface HardwareAmortisation { priceUsd: number; lifetimeHours: number }

/** USD for local inference: kWh x electricity price, plus hardware price / lifetime hours x hours of use. */
export function localCostUsd(wh: number, hours: number, electricityUsdPerKwh: number, hardware?: HardwareAmortisation): number {
  const energy = (wh / 1000) * electricityUsdPerKwh;
  if (!hardware || !(hardware.lifetimeHours > 0)) return energy;
  return energy + (hardware.priceUsd / hardware.lifetimeHours) * hours;
}
