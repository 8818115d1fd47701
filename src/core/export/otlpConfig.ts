// Where OTLP export goes, and with what: from the extension's user/machine settings
// (`rightsize.export.otlp.*`, never a workspace's: see src/vscode/settings.ts) or, for the CLI, from
// the standard OTEL_EXPORTER_OTLP_* variables. Off unless asked for.
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export const OTLP_PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];

export interface OtlpExportConfig {
  enabled: boolean;
  /** Full URLs of the two signals (`<endpoint>/v1/traces`, `<endpoint>/v1/metrics`). */
  tracesUrl: string;
  metricsUrl: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  resourceAttributes: Record<string, string>;
  timeoutMs: number;
}

export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

export function signalUrls(endpoint: string): { tracesUrl: string; metricsUrl: string } {
  const base = endpoint.replace(/\/+$/, '');
  return { tracesUrl: `${base}/v1/traces`, metricsUrl: `${base}/v1/metrics` };
}

export function defaultOtlpConfig(): OtlpExportConfig {
  return { enabled: false, ...signalUrls(DEFAULT_OTLP_ENDPOINT), protocol: 'http/protobuf', headers: {}, resourceAttributes: {}, timeoutMs: 10_000 };
}

function httpUrl(value: string, name: string, errors: string[]): string | undefined {
  try {
    const u = new URL(value);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password) return value;
  } catch {
    // fall through
  }
  errors.push(`${name} must be an http(s) URL without credentials (got ${JSON.stringify(value)})`);
  return undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection']);

function stringMap(raw: unknown, name: string, errors: string[], isHeader: boolean): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(`${name} must be an object of strings`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string' || /[\r\n]/.test(v)) { errors.push(`${name}.${k} must be a one-line string; ignored`); continue; }
    if (isHeader && (!HEADER_NAME.test(k) || FORBIDDEN_HEADERS.has(k.toLowerCase()))) { errors.push(`${name}: "${k}" cannot be set; ignored`); continue; }
    out[k] = v;
  }
  return out;
}

/** From settings keys relative to `rightsize.export.otlp.` (enabled, endpoint, protocol, headers, resourceAttributes). */
export function parseOtlpSettings(raw: Readonly<Record<string, unknown>>, errors: string[], prefix = 'rightsize.export.otlp'): OtlpExportConfig {
  const c = defaultOtlpConfig();
  if (raw.enabled !== undefined && raw.enabled !== null) {
    if (typeof raw.enabled === 'boolean') c.enabled = raw.enabled;
    else errors.push(`${prefix}.enabled must be true or false`);
  }
  if (typeof raw.endpoint === 'string' && raw.endpoint.trim()) {
    const url = httpUrl(raw.endpoint.trim(), `${prefix}.endpoint`, errors);
    if (url) Object.assign(c, signalUrls(url));
  }
  if (raw.protocol !== undefined && raw.protocol !== null) {
    if ((OTLP_PROTOCOLS as readonly unknown[]).includes(raw.protocol)) c.protocol = raw.protocol as OtlpProtocol;
    else errors.push(`${prefix}.protocol must be one of ${OTLP_PROTOCOLS.join(', ')}`);
  }
  c.headers = stringMap(raw.headers, `${prefix}.headers`, errors, true);
  c.resourceAttributes = stringMap(raw.resourceAttributes, `${prefix}.resourceAttributes`, errors, false);
  return c;
}

/** `k=v,k2=v2` with percent-encoded values (the OTEL_* list format). */
function parseKeyValues(text: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of (text ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed escape: skip the pair
    }
  }
  return out;
}

/**
 * The CLI's configuration from OTEL_EXPORTER_OTLP_{,TRACES_,METRICS_}{ENDPOINT,PROTOCOL,HEADERS},
 * OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME (signal-specific wins;
 * a signal-specific endpoint is used as is, the general one gets /v1/<signal>). Enabled: the caller
 * asked for export.
 */
export function otlpConfigFromEnv(env: NodeJS.ProcessEnv, errors: string[]): OtlpExportConfig {
  const c = defaultOtlpConfig();
  c.enabled = true;
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (general && httpUrl(general, 'OTEL_EXPORTER_OTLP_ENDPOINT', errors)) Object.assign(c, signalUrls(general));
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces && httpUrl(traces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', errors)) c.tracesUrl = traces;
  const metrics = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim();
  if (metrics && httpUrl(metrics, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', errors)) c.metricsUrl = metrics;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (protocol) {
    if ((OTLP_PROTOCOLS as readonly string[]).includes(protocol)) c.protocol = protocol as OtlpProtocol;
    else errors.push(`OTEL_EXPORTER_OTLP_PROTOCOL must be ${OTLP_PROTOCOLS.join(' or ')} here (got "${protocol}"; grpc is not supported)`);
  }
  c.headers = stringMap({ ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseKeyValues(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) }, 'OTEL_EXPORTER_OTLP_HEADERS', errors, true);
  const resource = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES);
  if (env.OTEL_SERVICE_NAME?.trim()) resource['service.name'] = env.OTEL_SERVICE_NAME.trim();
  c.resourceAttributes = stringMap(resource, 'OTEL_RESOURCE_ATTRIBUTES', errors, false);
  const timeout = Number(env.OTEL_EXPORTER_OTLP_TIMEOUT);
  if (env.OTEL_EXPORTER_OTLP_TIMEOUT && Number.isFinite(timeout) && timeout > 0) c.timeoutMs = timeout;
  return c;
}

/** A stable name for a destination (cursor and lock files): the URLs and protocol, never the headers. */
export function destinationKey(c: OtlpExportConfig): string {
  return `${c.protocol} ${c.tracesUrl} ${c.metricsUrl}`;
}
