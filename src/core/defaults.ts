// Defaults shared by the settings (config.ts, package.json), the router and the estimator, defined once.
// A unit test checks package.json's setting defaults against these.

/** Prefer a capable local model unless the cheapest capable cloud model is more than this many times
 * cheaper by the objective (RouteOptions.localPreference, `rightsize.localPreference`). */
export const DEFAULT_LOCAL_PREFERENCE = 3;

/** US residential average retail price of electricity, 2024 (EIA Electric Power Monthly: 15.45-16.88 c/kWh
 *  monthly in early 2024; 16.00 c/kWh annual 2023), rounded (`rightsize.money.electricityUsdPerKwh`). */
export const DEFAULT_ELECTRICITY_USD_PER_KWH = 0.165;
