// The calibrated difficulty model: its features on problem text written here (not the data set's rows), the
// task classes of benchmark-style instructions, and the shipped parameter file.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseRequest } from '../../../src/core/router/requirements';
import { maxBoundLog10, problemFeatures } from '../../../src/core/router/difficultyFeatures';
import {
  calibratedModelFor, checkParams, DifficultyParams, difficultyParams, predictDifficulty, setDifficultyParams,
} from '../../../src/core/router/difficultyModel';
import { askOf } from '../../../src/core/router/taskClassifier';
import { req } from './fixtures';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

const STUB = '```python\ndef below_zero(operations: list[int]) -> bool:\n    """ Return True if the balance ever falls below zero.\n    >>> below_zero([1, 2, -4, 5])\n    True\n    >>> below_zero([1, 2, 3])\n    False\n    """\n```';
const HUMANEVAL_STYLE = `Implement this function:\n\n${STUB}\n\nPlease complete the above code according to the requirements in the docstring. Write the complete code and wrap it in markdown syntax.`;

const CONTEST = `Solve this competitive programming problem in Python:

# Tree Tours

You are given a tree with n vertices; each edge is black or white. A simple path may switch colour at most k times.
Count the number of ways to choose a path (u, v), and print the answer modulo 10^9 + 7.

Input

The first line contains two integers n and k (2 ≤ n ≤ 2 ⋅ 10^5, 0 ≤ k ≤ n-1).
Each of the next n - 1 lines contains three integers u_i, v_i and t_i (1 ≤ u_i, v_i ≤ n, 0 ≤ t_i ≤ 1).

Output

Print a single integer: the number of valid tours modulo 10^9 + 7.

Examples

Input

3 1
1 2 1
3 2 0

Output

10

Please implement a complete Python script. Your program should read input from standard input and write output to standard output.`;

describe('router/difficulty (calibrated)', () => {
  afterEach(() => setDifficultyParams(undefined));

  it('reads problem-size bounds as written in statements, including flattened superscripts', () => {
    assert.equal(maxBoundLog10('2 ≤ n ≤ 2 ⋅ 10^5'), 5.3);
    assert.equal(maxBoundLog10('1 <= nums.length <= 10^5 and 1 <= nums[i] <= 10**9'), 9);
    assert.equal(maxBoundLog10('* `1 <= k <= s.length <= 5 * 105`'), 5.7); // LeetCode's 5 * 10<sup>5</sup>
    assert.equal(maxBoundLog10('* `-109 <= nums[i] <= 109`'), 9);
    assert.equal(maxBoundLog10('1 <= n <= 50'), 1.7);
    assert.equal(maxBoundLog10('Return the sum of the list.'), 0);
  });

  it('measures a contest statement: I/O sections, constraints, modular answers, graph and counting vocabulary', () => {
    const v = problemFeatures({ instruction: CONTEST, context: '' });
    assert.ok(v.ioSpec >= 2, `ioSpec ${v.ioSpec}`);
    assert.equal(v.bound, 5.3);
    assert.equal(v.modular, 1);
    assert.ok(v.graph >= 3, `graph ${v.graph}`);
    assert.ok(v.combinatorics >= 1, `combinatorics ${v.combinatorics}`);
    assert.ok(v.constraints >= 2, `constraints ${v.constraints}`);
    const interactive = problemFeatures({ instruction: `${CONTEST}\nThis is an interactive problem: flush the output after each query.`, context: '' });
    assert.equal(interactive.interactive, 1);
    const plain = problemFeatures({ instruction: 'Implement this function:', context: STUB.slice(10, -3) });
    assert.equal(plain.ioSpec, 0);
    assert.equal(plain.bound, 0);
    assert.ok(plain.examples > 0, 'doctests in the stub count as examples');
  });

  it('classes "complete the function according to its docstring" as code generation, not documentation', () => {
    const r = analyseRequest(req(HUMANEVAL_STYLE), 300);
    assert.equal(r.kind, 'generate', r.signals.join(' '));
    assert.ok(r.signals.includes('model:spec'), r.signals.join(' '));
    // Writing docs is still documentation.
    assert.equal(analyseRequest(req(`Add a docstring to this function\n${STUB}`), 300).kind, 'document');
  });

  it('does not read a contest statement\'s "test cases" or a pasted issue\'s words as the task', () => {
    const contest = analyseRequest(req(CONTEST.replace('Examples', 'The input has several test cases.\n\nExamples')), 600);
    assert.equal(contest.kind, 'generate', contest.signals.join(' '));
    const issue = `Fix this issue in the acme/widgets repository:\n\nSlow crypto handshake\nThe token refresh is slow and the password check uses a mutex that deadlocks.\n\n${'Steps to reproduce. '.repeat(10)}`;
    const r = analyseRequest(req(issue), 600);
    assert.equal(r.kind, 'fix');
    assert.ok(r.signals.includes('model:repo'), r.signals.join(' '));
    assert.deepEqual(r.difficultyNames, [], 'the pasted issue\'s words (crypto, slow, mutex) are not what the user asked for');
    assert.equal(askOf(issue), 'Fix this issue in the acme/widgets repository:');
    // What the user asks for still counts.
    const asked = analyseRequest(req('Implement a lock-free, thread-safe queue in Go'), 100);
    assert.ok(asked.difficultyNames.includes('concurrency'));
    assert.ok(asked.required >= 30);
  });

  it('requires a frontier model for a contest problem and the smallest model for a docstring stub', () => {
    const contest = analyseRequest(req(CONTEST), 600);
    assert.equal(contest.kind, 'generate');
    assert.ok(contest.required >= 75, `contest needs ${contest.required} (${contest.signals.join(' ')})`);
    const stub = analyseRequest(req(HUMANEVAL_STYLE), 300);
    assert.ok(stub.required <= 5.6, `stub needs ${stub.required} (${stub.signals.join(' ')})`);
  });

  it('does not let the number of code blocks decide a LeetCode-style problem', () => {
    const statement = 'Solve this problem in Python:\n\nGiven an array nums, return the length of the longest strictly increasing subsequence.\n\nConstraints:\n1 <= nums.length <= 2500\n-104 <= nums[i] <= 104';
    const oneBlock = analyseRequest(req(`${statement}\n\n\`\`\`python\nclass Solution:\n    def lengthOfLIS(self, nums): ...\n\`\`\``), 400);
    const threeBlocks = analyseRequest(req(`${statement}\n\n\`\`\`\nInput: nums = [10,9,2,5]\n\`\`\`\n\n\`\`\`\nOutput: 2\n\`\`\`\n\n\`\`\`python\nclass Solution:\n    def lengthOfLIS(self, nums): ...\n\`\`\``), 400);
    assert.ok(!threeBlocks.signals.some((s) => s.startsWith('codeBlocks')), threeBlocks.signals.join(' '));
    assert.equal(threeBlocks.kind, oneBlock.kind);
    assert.ok(Math.abs(threeBlocks.required - oneBlock.required) < 1e-9 || threeBlocks.signals.includes('model:spec'));
  });

  it('applies the repository model to issue-sized fixes only; a small pasted fix keeps the hand-set base', () => {
    assert.equal(calibratedModelFor('fix', 'Fix this issue in the acme/widgets repository:', 80), 'repo');
    assert.equal(calibratedModelFor('fix', 'Fix the off-by-one here', 40), undefined);
    assert.equal(calibratedModelFor('multiFile', 'x', 1200), 'repo');
    assert.equal(calibratedModelFor('generate', 'Write a function', 20), 'spec');
    assert.equal(calibratedModelFor('rename', 'Rename t to total', 20), undefined);
    const small = analyseRequest(req('Fix the off-by-one in this loop\n```js\nfor (let i = 0; i <= a.length; i++) sum += a[i];\n```'), 60);
    assert.equal(small.kind, 'fix');
    assert.ok(!small.signals.includes('model:repo'));
  });

  it('the required tier never drops when the problem gets harder by a feature with a positive weight', () => {
    const m = difficultyParams().models.spec;
    const base = problemFeatures({ instruction: 'Solve this problem:\n\nGiven an array, return its maximum.', context: '' });
    const tiers: number[] = [];
    for (let k = 0; k <= 6; k++) {
      const v = { ...base };
      for (let i = 0; i < m.features.length; i++) if (m.weights[i] > 0) v[m.features[i]] += k * m.scale[i];
      tiers.push(predictDifficulty('spec', v).tier);
    }
    for (let i = 1; i < tiers.length; i++) assert.ok(tiers[i] >= tiers[i - 1], `tiers ${tiers.join(',')}`);
    assert.equal(tiers[tiers.length - 1], 3);
  });

  it('ships fitted parameters with provenance, fitted with the current feature code', () => {
    const p = difficultyParams();
    const file = JSON.parse(fs.readFileSync(path.join(ROOT, 'src', 'core', 'router', 'difficulty-params.json'), 'utf8')) as DifficultyParams;
    assert.equal(p.version, file.version);
    assert.match(p.version, /^\d{4}-\d{2}-\d{2}\.\d+$/);
    const prov = p.provenance as { featureCodeSha256: string; data: Array<{ file: string; sha256: string; rows: number; source: string }> };
    assert.deepEqual(prov.data.map((d) => d.file).sort(), ['adaptive-train.jsonl', 'swebench-verified.jsonl']);
    for (const d of prov.data) {
      assert.match(d.sha256, /^[0-9a-f]{64}$/);
      assert.ok(d.rows > 100 && /github\.com/.test(d.source));
    }
    const sha = createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'src', 'core', 'router', 'difficultyFeatures.ts'))).digest('hex');
    assert.equal(prov.featureCodeSha256, sha, 'difficultyFeatures.ts changed since the last fit: run npm run router:fit');
    assert.ok(fs.statSync(path.join(ROOT, 'src', 'core', 'router', 'difficulty-params.json')).size < 32_000, 'parameters, not data');
  });

  it('refuses malformed parameters', () => {
    const good = difficultyParams();
    const bad = (f: (p: DifficultyParams) => void): DifficultyParams => {
      const c = JSON.parse(JSON.stringify(good)) as DifficultyParams;
      f(c);
      return c;
    };
    assert.throws(() => checkParams(bad((p) => { p.models.spec.weights.pop(); })), /differ in length/);
    assert.throws(() => checkParams(bad((p) => { p.models.spec.cutpoints = [2, 1, 3]; })), /not increasing/);
    assert.throws(() => checkParams(bad((p) => { p.models.repo.threshold = 1.5; })), /threshold/);
    assert.throws(() => checkParams(bad((p) => { delete (p.models as Partial<DifficultyParams['models']>).repo; })), /repo missing/);
    assert.doesNotThrow(() => checkParams(good));
  });

  it('a higher threshold routes the same problem to the same or a lower tier', () => {
    const v = problemFeatures({ instruction: CONTEST, context: '' });
    const at = (t: number): number => {
      const c = JSON.parse(JSON.stringify(difficultyParams())) as DifficultyParams;
      c.models.spec.threshold = t;
      return predictDifficulty('spec', v, c).tier;
    };
    const tiers = [0.05, 0.3, 0.6, 0.9, 0.99].map(at);
    for (let i = 1; i < tiers.length; i++) assert.ok(tiers[i] <= tiers[i - 1], tiers.join(','));
  });
});
