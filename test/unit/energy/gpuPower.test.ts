import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNvidiaPowerDraw, readNvidiaPowerW } from '../../../src/core/energy/gpuPower';

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, bin)));
}

describe('readNvidiaPowerW', () => {
  it('asks nvidia-smi for power.draw in plain CSV', async () => {
    const calls: Array<[string, string[]]> = [];
    await readNvidiaPowerW(async (cmd, args) => {
      calls.push([cmd, args]);
      return '100.00\n';
    });
    assert.deepEqual(calls, [['nvidia-smi', ['--query-gpu=power.draw', '--format=csv,noheader,nounits']]]);
  });

  it('is undefined when the binary is absent', async () => {
    const err = Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT' });
    assert.equal(await readNvidiaPowerW(async () => { throw err; }), undefined);
  });

  it('sums two GPUs', async () => {
    assert.equal(await readNvidiaPowerW(async () => '250.12\n310.50\n'), 560.62);
  });

  it('skips GPUs that do not report power, and is undefined when none do', async () => {
    assert.equal(await readNvidiaPowerW(async () => '[N/A]\r\n87.5\r\n'), 87.5);
    assert.equal(await readNvidiaPowerW(async () => '[Not Supported]\n[N/A]\n'), undefined);
    assert.equal(parseNvidiaPowerDraw(''), undefined);
  });

  it('really runs nvidia-smi when no runner is given: undefined where it is not installed', async () => {
    const w = await readNvidiaPowerW();
    if (onPath('nvidia-smi')) assert.ok(w === undefined || w >= 0);
    else assert.equal(w, undefined);
  });
});
