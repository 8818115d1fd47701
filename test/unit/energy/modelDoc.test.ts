import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderEnergyModelDoc } from '../../../src/core/energy/doc/modelDoc';
import { CLOUD_CONSTANTS, EMBODIED_CONSTANTS, LOCAL_CONSTANTS } from '../../../src/core/energy/doc/constants';

// Compiled to out/test/unit/energy: the repository root is four levels up.
const DOC = path.join(__dirname, '..', '..', '..', '..', 'docs', 'energy-model.md');

describe('docs/energy-model.md', () => {
  it('is exactly what the code renders (run `npm run docs:energy` after changing the model or its data)', () => {
    const expected = renderEnergyModelDoc();
    const actual = fs.readFileSync(DOC, 'utf8');
    if (actual !== expected) {
      const a = actual.split('\n');
      const e = expected.split('\n');
      const i = e.findIndex((line, k) => line !== a[k]);
      assert.fail(`docs/energy-model.md drifted from the code at line ${i + 1}:\n  file: ${a[i]}\n  code: ${e[i]}\nRun \`npm run docs:energy\`.`);
    }
  });

  it('renders deterministically', () => {
    assert.equal(renderEnergyModelDoc(), renderEnergyModelDoc());
  });

  it('gives every constant a unit and a source', () => {
    for (const c of [...CLOUD_CONSTANTS, ...EMBODIED_CONSTANTS, ...LOCAL_CONSTANTS]) {
      assert.ok(c.source.length > 10, `${c.name}: source`);
      assert.ok(typeof c.value === 'number' ? Number.isFinite(c.value) : Number.isFinite(c.value.mid), `${c.name}: value`);
    }
  });

  it('has the side-by-side tables with ratios', () => {
    const doc = renderEnergyModelDoc();
    for (const heading of ['## Check against ML.ENERGY', '## Check against Epoch AI and Google', '## Comparison with EcoLogits', '### Prefill', '## Embodied emissions', '## Carbon', '## Money']) {
      assert.ok(doc.includes(heading), heading);
    }
    assert.ok(!doc.includes('NaN') && !doc.includes('undefined'), 'no NaN/undefined cells');
  });
});
