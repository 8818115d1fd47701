import * as assert from 'node:assert/strict';

/** Deep equality where numbers may differ by float rounding (sums taken in a different order). */
export function assertClose(actual: unknown, expected: unknown, where = 'report'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tol = 1e-9 * Math.max(1, Math.abs(expected), Math.abs(actual));
    assert.ok(Math.abs(actual - expected) <= tol, `${where}: ${actual} vs ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: not an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${where}: length`);
    expected.forEach((e, i) => assertClose((actual as unknown[])[i], e, `${where}[${i}]`));
    return;
  }
  if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${where}: not an object`);
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${where}: keys`);
    for (const k of Object.keys(expected)) assertClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${where}.${k}`);
    return;
  }
  assert.equal(actual, expected, where);
}

/** Runs the suite's hooks with process.env.TZ set (Node re-reads it at once), restoring it after. */
export function withTimeZone(tz: string): void {
  let saved: string | undefined;
  before(() => {
    saved = process.env.TZ;
    process.env.TZ = tz;
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
