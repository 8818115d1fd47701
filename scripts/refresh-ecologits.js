#!/usr/bin/env node
// Regenerates the EcoLogits data snapshots Rightsize ships (closed-model architectures, electricity mixes):
//   src/core/catalog/data/ecologits-models.json   (providers openai, anthropic, google_genai)
//   src/core/cost/data/ecologits-mixes.json       (the zones listed in ZONES)
// Usage: node scripts/refresh-ecologits.js [--ref main] [--mixes-ref REF] [--models FILE] [--mixes FILE]
//   Without --models/--mixes the files are fetched from raw.githubusercontent.com (needs network; the
//   extension itself never fetches). With them, local copies of EcoLogits' JSON files are converted.
// EcoLogits is licensed under the Mozilla Public License 2.0; the snapshots keep its notice.
'use strict';
const fs = require('fs');
const path = require('path');

const REPO = 'mlco2/ecologits';
const PROVIDERS = ['openai', 'anthropic', 'google_genai'];
const ZONES = ['WOR', 'USA', 'CAN', 'BRA', 'FRA', 'DEU', 'GBR', 'IRL', 'NLD', 'BEL', 'ESP', 'ITA', 'PRT', 'POL', 'SWE', 'NOR',
  'FIN', 'DNK', 'AUT', 'CHE', 'CZE', 'GRC', 'HUN', 'CHN', 'IND', 'JPN', 'KOR', 'TWN', 'SGP', 'AUS', 'NZL', 'CHL', 'ZAF', 'MEX'];
const NOTICE = 'Data from EcoLogits (https://github.com/mlco2/ecologits), Copyright GenAI Impact / EcoLogits contributors, ' +
  'licensed under the Mozilla Public License 2.0 (https://mozilla.org/MPL/2.0/). Converted to this format by ' +
  'scripts/refresh-ecologits.js (values unchanged; providers/zones filtered). This file remains under MPL-2.0.';

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function load(file, remotePath, ref) {
  if (file) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const url = `https://raw.githubusercontent.com/${REPO}/${ref}/${remotePath}`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** EcoLogits writes parameters as a number, {min,max}, or {total, active} with either form inside. */
function bounds(v) {
  if (typeof v === 'number') return { min: v, max: v };
  if (v && typeof v.min === 'number' && typeof v.max === 'number') return { min: v.min, max: v.max };
  throw new Error(`unexpected parameter shape ${JSON.stringify(v)}`);
}

function normaliseModel(m) {
  const p = m.architecture.parameters;
  const moe = m.architecture.type === 'moe';
  const total = bounds(moe ? p.total : p);
  const active = bounds(moe ? p.active : p);
  return { provider: m.provider, name: m.name, type: m.architecture.type, totalB: total, activeB: active, warnings: m.warnings ?? [] };
}

function convertModels(upstream, ref) {
  const models = upstream.models.filter((m) => m.type === 'model' && PROVIDERS.includes(m.provider)).map(normaliseModel)
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
  const aliases = (upstream.aliases ?? []).filter((a) => PROVIDERS.includes(a.provider))
    .map((a) => ({ provider: a.provider, name: a.name, alias: a.alias }))
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
  return { source: { repo: REPO, path: 'ecologits/data/models.json', ref }, license: 'MPL-2.0', notice: NOTICE, aliases, models };
}

function convertMixes(upstream, ref) {
  const byZone = new Map(upstream.electricity_mixes.map((z) => [z.name, z]));
  const zones = ZONES.filter((z) => byZone.has(z)).map((z) => ({ zone: z, gCo2ePerKwh: Math.round(byZone.get(z).gwp * 100000) / 100 }));
  return { source: { repo: REPO, path: 'ecologits/data/electricity_mixes.json', ref, field: 'gwp (kgCO2eq/kWh) x 1000' }, license: 'MPL-2.0', notice: NOTICE, zones };
}

async function main() {
  const ref = arg('--ref') ?? 'main';
  const root = path.join(__dirname, '..');
  const models = convertModels(await load(arg('--models'), 'ecologits/data/models.json', ref), ref);
  fs.writeFileSync(path.join(root, 'src/core/catalog/data/ecologits-models.json'), JSON.stringify(models, null, 1) + '\n');
  const mixesRef = arg('--mixes-ref') ?? ref;
  const mixes = convertMixes(await load(arg('--mixes'), 'ecologits/data/electricity_mixes.json', mixesRef), mixesRef);
  fs.writeFileSync(path.join(root, 'src/core/cost/data/ecologits-mixes.json'), JSON.stringify(mixes, null, 1) + '\n');
  console.log(`ecologits: ${models.models.length} models, ${models.aliases.length} aliases, ${mixes.zones.length} zones (ref ${ref})`);
}

if (require.main === module) main().catch((e) => { console.error(`refresh-ecologits: ${e.message}`); process.exit(1); });
module.exports = { convertModels, convertMixes, normaliseModel };
