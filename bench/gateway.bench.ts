// Gateway overhead, as deployed: the fake OpenAI server in its own process, `rightsize serve` in its own
// process, and this process sending the same streamed chat completion to the fake directly and through the
// gateway (OpenAI Chat Completions in, the OpenAI backend out, the whole pipeline: token count, the
// router's requirements, budget gate, meter, a real ledger append), 50 streams at a time, interleaved so
// that other load on the machine falls on both alike. The workspace has a budget (a monthly $ limit it does
// not reach, in its .vscode/settings.json as a project would commit it), so every request goes through the
// shared budget view too (the reservation file and the ledger's tail, sharedBudget.ts), as it does for a user
// with a budget. Reported: p50 and p99 each way, the difference (added per request) and the p50 ratio, all
// from this run; and, where /proc exists, the CPU time per request of the gateway's process beside the fake's:
// at 50 concurrent streams on a machine with few free cores, added latency is mostly that CPU time queued
// (50 requests × the gateway's CPU per request, shared by the cores), so it is the figure to watch when other
// load makes the latencies noisy.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BenchSuite, Figure, percentile } from './harness';

const CONCURRENCY = 50;
const ROUNDS = Number(process.env.RIGHTSIZE_BENCH_GATEWAY_ROUNDS ?? 8);
const SEQUENTIAL = 200;
const WARMUP_ROUNDS = Number(process.env.RIGHTSIZE_BENCH_GATEWAY_WARMUP_ROUNDS ?? 10);
const KEY = 'sk-test-openai-0000';
const OUT = path.resolve(__dirname, '..');

function startProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...env } });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${err}`)));
  });
}

async function timedStream(url: string, token: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: 'gpt-5-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Explain what a closure is in one sentence.' }] }),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  for await (const _ of res.body as unknown as AsyncIterable<Uint8Array>) { /* drain */ }
  return performance.now() - t0;
}

/** CPU time (user + system) a process has used so far, in ms; undefined without /proc. */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

async function round(url: string, token: string): Promise<number[]> {
  return Promise.all(Array.from({ length: CONCURRENCY }, () => timedStream(url, token)));
}

export const suite: BenchSuite = {
  name: 'gateway',
  async run(): Promise<Figure[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-bench-gateway-'));
    const children: ChildProcess[] = [];
    try {
      const fake = await startProcess([path.join(OUT, 'test', 'fakes', 'cli.js'), '--only', 'openai', '--tokens-per-second', '1000000000'], {});
      children.push(fake.child);
      const openaiUrl = (JSON.parse(fake.line) as { openai: string }).openai;
      fs.mkdirSync(path.join(dir, '.vscode'));
      fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'rightsize.budget.month.usd': 1000 }));
      // RIGHTSIZE_BENCH_GATEWAY_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): node flags for the
      // gateway's process, to profile it under this load.
      const nodeArgs = (process.env.RIGHTSIZE_BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const serve = await startProcess([...nodeArgs, path.join(OUT, 'src', 'cli.js'), 'serve', '--port', '0', '--json', '--no-settings', '--ledger', path.join(dir, 'ledger'),
        '--token-file', path.join(dir, 'token'), '--workspace', dir, '--openai-base-url', `${openaiUrl}/v1`, '--ollama-host', 'http://127.0.0.1:9'], { OPENAI_API_KEY: KEY });
      children.push(serve.child);
      const gw = JSON.parse(serve.line) as { url: string; token: string };
      const direct = `${openaiUrl}/v1/chat/completions`;
      const through = `${gw.url}/v1/chat/completions`;
      // Warm-up: connections, the gateway's tokenizer and price data, and V8's optimising compiler, which
      // otherwise takes a third of the gateway's CPU during the first few hundred requests (perf record).
      for (let i = 0; i < WARMUP_ROUNDS; i++) {
        await round(direct, KEY);
        await round(through, gw.token);
      }
      const d: number[] = [];
      const g: number[] = [];
      let fakeCpuMs = 0;
      let gatewayCpuMs = 0;
      let cpuKnown = true;
      const cpuOf = async <T>(pid: number | undefined, fn: () => Promise<T>): Promise<{ value: T; ms?: number }> => {
        const before = cpuMsOf(pid);
        const value = await fn();
        const after = cpuMsOf(pid);
        return { value, ms: before !== undefined && after !== undefined ? after - before : undefined };
      };
      for (let i = 0; i < ROUNDS; i++) {
        const a = await cpuOf(fake.child.pid, () => round(direct, KEY));
        d.push(...a.value);
        const b = await cpuOf(serve.child.pid, () => round(through, gw.token));
        g.push(...b.value);
        if (a.ms === undefined || b.ms === undefined) cpuKnown = false;
        fakeCpuMs += a.ms ?? 0;
        gatewayCpuMs += b.ms ?? 0;
      }
      // One stream at a time (a developer's agent): the added latency without queueing.
      const d1: number[] = [];
      const g1: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) {
        d1.push(await timedStream(direct, KEY));
        g1.push(await timedStream(through, gw.token));
      }
      const [d50, d99, g50, g99] = [percentile(d, 50), percentile(d, 99), percentile(g, 50), percentile(g, 99)];
      const records = fs.readdirSync(path.join(dir, 'ledger')).filter((f) => f.endsWith('.jsonl'))
        .reduce((n, f) => n + fs.readFileSync(path.join(dir, 'ledger', f), 'utf8').split('\n').filter(Boolean).length, 0);
      const note = `${d.length} streamed requests each way, ${CONCURRENCY} concurrent, fake and gateway in their own processes, after ${WARMUP_ROUNDS * CONCURRENCY} warm-up requests each way, a workspace budget set; ${records} records in the ledger; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
      const cpu: Figure[] = cpuKnown ? [{
        name: 'gateway.cpuMsPerRequest', value: gatewayCpuMs / g.length, unit: 'ms',
        baseline: { name: 'fakeBackend.cpuMsPerRequest', value: fakeCpuMs / d.length },
        note: 'CPU time of the gateway process per request it forwarded (its server, pipeline and backend client), beside the fake\'s per request it served; from /proc, 10 ms ticks summed over all rounds',
      }] : [];
      return [
        ...cpu,
        { name: 'gateway.addedP50Ms', value: g50 - d50, unit: 'ms', target: { op: '<=', value: 2 }, note },
        { name: 'gateway.addedP99Ms', value: g99 - d99, unit: 'ms', target: { op: '<=', value: 10 } },
        { name: 'gateway.sequential.addedP50Ms', value: percentile(g1, 50) - percentile(d1, 50), unit: 'ms', note: `${SEQUENTIAL} requests one at a time` },
        { name: 'gateway.sequential.p50Ms', value: percentile(g1, 50), unit: 'ms', baseline: { name: 'fakeBackendDirect.sequential.p50Ms', value: percentile(d1, 50) } },
        { name: 'gateway.p50Ms', value: g50, unit: 'ms', baseline: { name: 'fakeBackendDirect.p50Ms', value: d50 } },
        { name: 'gateway.p99Ms', value: g99, unit: 'ms', baseline: { name: 'fakeBackendDirect.p99Ms', value: d99 } },
      ];
    } finally {
      const exited = children.map((c) => new Promise((r) => { if (c.exitCode !== null) r(undefined); else { c.once('exit', r); setTimeout(r, 5000); } }));
      for (const c of children) c.kill('SIGINT');
      await Promise.all(exited);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
