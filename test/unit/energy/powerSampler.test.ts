import * as assert from 'node:assert/strict';
import { GpuPowerSampler, isLoopbackUrl } from '../../../src/core/energy/powerSampler';

describe('energy: GPU power sampler', () => {
  it('returns readings, and stops asking once nothing can be measured', async () => {
    const readings = [250, undefined, 300];
    let calls = 0;
    const s = new GpuPowerSampler(async () => readings[calls++]);
    assert.equal(await s.sample(), 250);
    assert.equal(await s.sample(), undefined);
    assert.equal(await s.sample(), undefined);
    assert.equal(calls, 2, 'no third call after a failed reading');
    assert.equal(s.measurable, false);
  });

  it('treats only this machine as loopback', () => {
    for (const u of ['http://127.0.0.1:11434', 'http://localhost:11434', 'http://[::1]:11434', 'http://127.1.2.3']) assert.equal(isLoopbackUrl(u), true, u);
    for (const u of ['http://10.0.0.5:11434', 'https://ollama.example.com', 'not a url']) assert.equal(isLoopbackUrl(u), false, u);
  });
});
