import * as assert from 'node:assert/strict';
import data from '../../../src/core/energy/devices.json';
import { deviceProfile } from '../../../src/core/energy/devices';

interface Measurement { device: string; hardware: string; paramsB: number; weightsGB: number; bandwidthGBs: number; decodeTokensPerS: number; prefillTokensPerS?: number; watts?: number; source: string }
const measurements = (data as unknown as { measurements: Measurement[]; sources: Record<string, string> }).measurements;

describe('device profiles against published measurements', () => {
  it('has measurements for Apple M-series and common NVIDIA cards, each sourced', () => {
    const devices = new Set(measurements.map((m) => m.device));
    for (const id of ['apple-m-series', 'apple-m-base', 'apple-m-max', 'rtx-4090', 'rtx-3090', 'rtx-3080', 'rtx-4070']) assert.ok(devices.has(id), id);
    for (const m of measurements) assert.ok((data as { sources: Record<string, string> }).sources[m.source], `${m.hardware}: unknown source ${m.source}`);
    assert.ok(measurements.filter((m) => m.watts !== undefined).length >= 2, 'at least two power measurements');
  });

  for (const m of measurements) {
    it(`${m.device}: ${m.hardware} running ${m.paramsB}B at ${m.decodeTokensPerS} tokens/s fits the profile's efficiency, TFLOPS and watts`, () => {
      const p = deviceProfile(m.device)!;
      assert.ok(p, m.device);
      // Decode streams the weights once per token: achieved bandwidth / peak bandwidth.
      const efficiency = (m.decodeTokensPerS * m.weightsGB) / m.bandwidthGBs;
      assert.ok(efficiency >= p.decodeEfficiency.min && efficiency <= p.decodeEfficiency.max,
        `decode efficiency ${efficiency.toFixed(2)} outside ${p.decodeEfficiency.min}-${p.decodeEfficiency.max}`);
      if (m.prefillTokensPerS !== undefined && !/Ti/.test(m.hardware)) {
        const tflops = (m.prefillTokensPerS * 2 * m.paramsB * 1e9) / 1e12;
        assert.ok(tflops >= p.prefillTflops.min && tflops <= p.prefillTflops.max, `prefill ${tflops.toFixed(1)} TFLOPS outside ${p.prefillTflops.min}-${p.prefillTflops.max}`);
      }
      if (m.watts !== undefined) assert.ok(m.watts >= p.powerW.min && m.watts <= p.powerW.max, `${m.watts} W outside ${p.powerW.min}-${p.powerW.max} W`);
    });
  }
});
