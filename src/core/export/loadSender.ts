// Loads the OTLP sender (otlpSend.ts, with the @opentelemetry packages) on first use only. It sits
// beside this module in the compiled tree and beside the bundles in dist/ (esbuild builds it as its
// own file), so neither the extension's activation nor the CLI's other commands pay for it.
import * as path from 'path';
import type { OtlpSender } from './ledgerExporter';
import type { OtlpExportConfig } from './otlpConfig';

export function loadSender(config: OtlpExportConfig): OtlpSender {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, 'otlpSend.js')) as typeof import('./otlpSend');
  return mod.createSender(config);
}
