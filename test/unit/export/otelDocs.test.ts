// The Collector config, Prometheus scrape config and Grafana dashboard in docs/otel/, and the
// attribute and metric lists in docs/opentelemetry.md, against what the exporter really sends: a
// generated history is exported to the OTLP receiver (real protobuf), and the metric names, kinds and
// attributes received there — never a copied list — are turned into the Prometheus series the
// Collector's exporter makes (translation_strategy UnderscoreEscapingWithoutSuffixes, checked in the
// config). Every series and label the dashboard queries must be one of those; a renamed metric or
// attribute fails here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger } from '../../../src/core/ledger';
import { LedgerExporter } from '../../../src/core/export/ledgerExporter';
import { loadSender } from '../../../src/core/export/loadSender';
import { DEFAULT_OTLP_ENDPOINT, defaultOtlpConfig, destinationKey, signalUrls } from '../../../src/core/export/otlpConfig';
import { recordToSpan } from '../../../src/core/export/genaiMapping';
import type { UsageRecord } from '../../../src/core/types';
import { OtlpReceiver, ReceivedPoint } from '../../fakes/otlpReceiver';
import { generateHistory, makeRecord } from '../../util/recordFactory';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DOCS = path.join(ROOT, 'docs');
type Obj = Record<string, unknown>;

const promName = (otel: string): string => otel.replace(/[^a-zA-Z0-9_:]/g, '_');

/** Records that reach every branch of the mapping: errors, blocked, local, inline, a Copilot trace, cache writes. */
function varietyOfRecords(): UsageRecord[] {
  return [
    ...generateHistory({ count: 300, days: 3, end: new Date('2026-11-22T00:00:00Z'), seed: 21 }),
    makeRecord({ id: 'cw', ts: '2026-11-21T10:00:00.000Z', tokens: { input: 9000, cachedInput: 5000, output: 300, reasoning: 100, source: 'reported', cacheWrite: 1200 }, trace: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' } }),
    makeRecord({ id: 'blk', ts: '2026-11-21T10:01:00.000Z', outcome: 'blocked' }),
  ];
}

interface Series { prom: string; kind: 'counter' | 'gauge' | 'histogram'; otel: string; unit: string }

describe('docs/otel: Collector config and Grafana dashboard match what the exporter sends', function () {
  this.timeout(60000);
  let points: ReceivedPoint[];
  let spanAttributes: Set<string>;
  let resourceAttributes: Set<string>;
  const series = new Map<string, Series>();
  const labelValues = new Map<string, Set<string>>();

  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-otel-docs-'));
    const receiver = await new OtlpReceiver().start();
    try {
      const ledger = new Ledger(dir);
      const cfg = { ...defaultOtlpConfig(), enabled: true, ...signalUrls(receiver.url) };
      const ex = new LedgerExporter(ledger, destinationKey(cfg), loadSender(cfg));
      await ex.run();
      for (const r of varietyOfRecords()) ledger.append(r);
      const run = await ex.run();
      await ex.close();
      assert.equal(run.error, undefined);
      points = receiver.points;
      spanAttributes = new Set(receiver.spans.flatMap((s) => Object.keys(s.attributes)));
      resourceAttributes = new Set([...receiver.spans, ...points].flatMap((x) => Object.keys(x.resource)));
    } finally {
      await receiver.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(points.length > 0 && spanAttributes.size > 20);
    for (const p of points) {
      const base = promName(p.metric);
      if (p.kind === 'histogram') {
        for (const suffix of ['_bucket', '_sum', '_count']) series.set(base + suffix, { prom: base + suffix, kind: 'histogram', otel: p.metric, unit: p.unit });
      } else {
        series.set(base, { prom: base, kind: p.monotonic ? 'counter' : 'gauge', otel: p.metric, unit: p.unit });
      }
      for (const [k, v] of Object.entries(p.attributes)) {
        const label = promName(k);
        if (!labelValues.has(label)) labelValues.set(label, new Set());
        labelValues.get(label)!.add(String(v));
      }
    }
  });

  function collector(): Obj {
    return yaml.load(fs.readFileSync(path.join(DOCS, 'otel', 'collector.yaml'), 'utf8')) as Obj;
  }

  /** Labels the Collector config adds to every data point (its transform statements). */
  function collectorLabels(): string[] {
    const out: string[] = [];
    for (const [name, proc] of Object.entries((collector().processors as Obj) ?? {})) {
      if (!name.startsWith('transform')) continue;
      for (const group of ((proc as Obj).metric_statements as Obj[]) ?? []) {
        for (const st of (group.statements as string[]) ?? []) {
          const m = /^set\(attributes\["([^"]+)"\],\s*resource\.attributes\["([^"]+)"\]\)/.exec(st);
          assert.ok(m, `a transform statement this test understands: ${st}`);
          out.push(promName(m[1]));
        }
      }
    }
    return out;
  }

  it('the Collector receives OTLP/HTTP on the port Rightsize sends to and fans metrics out to Prometheus and a file, traces to a file', () => {
    const c = collector();
    const section = (name: string): Obj => (c[name] as Obj | undefined) ?? {};
    const http = ((section('receivers').otlp as Obj).protocols as Obj).http as Obj;
    assert.ok(http, 'an OTLP/HTTP receiver');
    assert.equal(String(http.endpoint).split(':').pop(), new URL(DEFAULT_OTLP_ENDPOINT).port, 'the port Rightsize uses by default');
    const pipelines = (section('service').pipelines as Record<string, Record<string, string[]>>);
    const type = (id: string): string => id.split('/')[0];
    for (const [name, p] of Object.entries(pipelines)) {
      for (const [kind, sec] of [['receivers', 'receivers'], ['processors', 'processors'], ['exporters', 'exporters']] as const) {
        for (const id of p[kind] ?? []) assert.ok(id in section(sec), `pipeline ${name}: ${kind} ${id} is defined`);
      }
    }
    for (const id of ((section('service').extensions as string[]) ?? [])) assert.ok(id in section('extensions'), `extension ${id} is defined`);
    assert.ok(pipelines.metrics.receivers.includes('otlp') && pipelines.traces.receivers.includes('otlp'));
    assert.ok(pipelines.metrics.exporters.some((e) => type(e) === 'prometheus'), 'metrics go to Prometheus');
    assert.ok(pipelines.metrics.exporters.some((e) => type(e) === 'file'), 'metrics go to a file');
    assert.ok(pipelines.traces.exporters.some((e) => type(e) === 'file'), 'traces go to a file');
    const files = Object.entries(section('exporters')).filter(([id]) => type(id) === 'file').map(([, e]) => String((e as Obj).path));
    assert.equal(new Set(files).size, files.length, 'one file per signal');
    const auth = (http.auth as Obj | undefined)?.authenticator;
    assert.ok(auth && (section('service').extensions as string[]).includes(String(auth)), 'the receiver requires the team token');
    const prom = section('exporters').prometheus as Obj;
    assert.equal(prom.translation_strategy, 'UnderscoreEscapingWithoutSuffixes', 'the naming this test (and the dashboard) assume');
    assert.deepEqual(collectorLabels().sort(), ['team', 'user_name']);
    const scrape = yaml.load(fs.readFileSync(path.join(DOCS, 'otel', 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ honor_labels?: boolean; static_configs: Array<{ targets: string[] }> }> };
    const job = scrape.scrape_configs[0];
    assert.equal(job.honor_labels, true, 'Prometheus keeps the instance label (service.instance.id)');
    assert.equal(job.static_configs[0].targets[0].split(':').pop(), String(prom.endpoint).split(':').pop(), 'Prometheus scrapes the Collector\'s exporter port');
  });

  it('every series, label and label value the Grafana dashboard queries is one the exporter emits', () => {
    const dash = JSON.parse(fs.readFileSync(path.join(DOCS, 'otel', 'grafana-dashboard.json'), 'utf8')) as Obj;
    const panels = dash.panels as Obj[];
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'unique panel ids');
    const exprs: string[] = [];
    const legends: string[] = [];
    for (const p of panels) {
      const g = p.gridPos as { x: number; w: number };
      assert.ok(g.x + g.w <= 24, `panel ${String(p.title)} fits the 24-column grid`);
      if (p.type === 'row') continue;
      assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, `panel ${String(p.title)} uses the chosen data source`);
      for (const t of p.targets as Obj[]) { exprs.push(String(t.expr)); legends.push(String(t.legendFormat ?? '')); }
    }
    const vars = (dash.templating as { list: Obj[] }).list;
    for (const v of vars) if (v.type === 'query') exprs.push(String((v.query as Obj).query));

    const labels = new Set([...labelValues.keys(), ...collectorLabels(), 'le', 'job', 'instance']);
    const usedSeries = new Set<string>();
    const FUNCTION_OR_KEYWORD = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);
    for (const expr of exprs) {
      let e = expr;
      // label_values(series, label)
      e = e.replace(/label_values\(\s*([a-zA-Z_:][\w:]*)?(\{[^}]*\})?\s*,\s*([a-zA-Z_]\w*)\s*\)/g, (_m, s: string | undefined, sel: string | undefined, label: string) => {
        assert.ok(labels.has(label), `${expr}: label ${label}`);
        return `${s ?? ''}${sel ?? ''}`;
      });
      // label matchers: names and exact values
      e = e.replace(/\{([^}]*)\}/g, (_m, body: string) => {
        for (const m of body.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
          assert.ok(labels.has(m[1]), `${expr}: label ${m[1]}`);
          if (m[2] === '=' && !m[3].includes('$')) assert.ok(labelValues.get(m[1])?.has(m[3]), `${expr}: ${m[1]}="${m[3]}" is a value the exporter sends`);
        }
        return ' ';
      });
      e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, _k, body: string) => {
        for (const l of body.split(',').map((x) => x.trim()).filter(Boolean)) assert.ok(labels.has(l), `${expr}: grouping label ${l}`);
        return ' ';
      });
      e = e.replace(/\[[^\]]*\]/g, ' ').replace(/"[^"]*"/g, ' ');
      for (const m of e.matchAll(/[a-zA-Z_:][\w:]*/g)) {
        const name = m[0];
        const next = e.slice(m.index! + name.length).trimStart()[0];
        if (next === '(' || FUNCTION_OR_KEYWORD.has(name)) continue; // a function or keyword
        assert.ok(series.has(name), `${expr}: ${name} is not a series the exporter produces (${[...series.keys()].join(', ')})`);
        usedSeries.add(name);
      }
      // counters and histograms grow: increase/rate; a gauge (savings can go down) takes delta
      for (const m of expr.matchAll(/\b(increase|rate|delta)\(\s*([a-zA-Z_:][\w:]*)/g)) {
        const kind = series.get(m[2])?.kind;
        if (m[1] === 'delta') assert.equal(kind, 'gauge', `${expr}: delta() of ${m[2]} (${kind})`);
        else assert.notEqual(kind, 'gauge', `${expr}: ${m[1]}() of the gauge ${m[2]}`);
      }
    }
    for (const l of legends) for (const m of l.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) assert.ok(labels.has(m[1]), `legend label ${m[1]}`);
    // the dashboard shows every metric the exporter sends
    const otelUsed = new Set([...usedSeries].map((s) => series.get(s)!.otel));
    assert.deepEqual([...new Set([...series.values()].map((s) => s.otel))].filter((m) => !otelUsed.has(m)), [], 'metrics the dashboard does not show');
    for (const want of ['user_name', 'rightsize_workspace_name']) assert.ok(exprs.some((x) => new RegExp(`by \\([^)]*\\b${want}\\b`).test(x)), `a breakdown by ${want}`);
  });

  it('docs/opentelemetry.md names every span attribute, resource attribute, metric and metric attribute the exporter sends', () => {
    const doc = fs.readFileSync(path.join(DOCS, 'opentelemetry.md'), 'utf8');
    const span = new Set([...spanAttributes, ...Object.keys(recordToSpan(makeRecord({ ttftMs: 1 })).attributes)]);
    const missing = (names: Iterable<string>): string[] => [...names].filter((n) => !doc.includes(`\`${n}\``));
    assert.deepEqual(missing(span), [], 'span attributes missing from the doc');
    assert.deepEqual(missing(resourceAttributes), [], 'resource attributes missing from the doc');
    assert.deepEqual(missing(new Set(points.map((p) => p.metric))), [], 'metrics missing from the doc');
    assert.deepEqual(missing(new Set(points.flatMap((p) => Object.keys(p.attributes)))), [], 'metric attributes missing from the doc');
    for (const p of points) assert.ok(doc.includes(`\`${p.metric}\``) && new RegExp(`\`${p.metric.replace(/\./g, '\\.')}\`[^\\n]*\`${p.unit.replace(/[{}]/g, '\\$&')}\``).test(doc), `${p.metric}: its unit ${p.unit} on its line`);
    for (const s of series.keys()) assert.ok(doc.includes(s), `the Prometheus name ${s}`);
  });
});
