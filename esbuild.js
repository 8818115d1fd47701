// Build: bundles the extension, the CLI and the webview script, and ships tiktoken's WASM + encoders.
// Usage: node esbuild.js [--production] [--watch]
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = __dirname;
const dist = path.join(root, 'dist');

/** tiktoken's lite WASM and the two encoders we use, copied beside the bundles so the packaged
 *  extension loads them with no node_modules. */
function copyTokenizerAssets() {
  fs.mkdirSync(path.join(dist, 'encoders'), { recursive: true });
  const tk = path.join(root, 'node_modules', 'tiktoken');
  fs.copyFileSync(path.join(tk, 'lite', 'tiktoken_bg.wasm'), path.join(dist, 'tiktoken_bg.wasm'));
  for (const enc of ['o200k_base', 'cl100k_base']) {
    fs.copyFileSync(path.join(tk, 'encoders', `${enc}.json`), path.join(dist, 'encoders', `${enc}.json`));
  }
}

/** @pydantic/genai-prices (~0.5 MB of price data) stays out of the main bundles: it is copied beside them and
 *  required on the first price lookup (src/core/cost/prices.ts), so activation does not parse it. */
const GENAI_PRICES_FILE = 'genai-prices.cjs';
function copyPriceData() {
  const pkg = path.join(root, 'node_modules', '@pydantic', 'genai-prices');
  fs.mkdirSync(dist, { recursive: true });
  fs.copyFileSync(path.join(pkg, 'dist', 'index.cjs'), path.join(dist, GENAI_PRICES_FILE));
  fs.copyFileSync(path.join(pkg, 'LICENSE'), path.join(dist, 'genai-prices.LICENSE'));
}

/** @type {import('esbuild').Plugin} */
const lazyPriceData = {
  name: 'lazy-genai-prices',
  setup(build) {
    build.onResolve({ filter: /^@pydantic\/genai-prices$/ }, () => ({ path: `./${GENAI_PRICES_FILE}`, external: true }));
  },
};

/** @type {import('esbuild').Plugin} */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [problemMatcher, lazyPriceData],
  // jsonc-parser's "main" is a UMD build with dynamic requires esbuild cannot follow; its ES build bundles.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
  define: { 'process.env.RIGHTSIZE_BUNDLED': '"1"', 'process.env.RIGHTSIZE_VERSION': JSON.stringify(require('./package.json').version) },
};

/** The commands of src/cli/main.ts (each src/cli/commands/<name>.ts exports `<name>Command`). */
const CLI_COMMANDS = ['estimate', 'route', 'record', 'report', 'statusline', 'export', 'import', 'serve'];

async function main() {
  copyTokenizerAssets();
  copyPriceData();
  const contexts = await Promise.all([
    esbuild.context({
      ...nodeCommon,
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      external: ['vscode'],
    }),
    // Copilot telemetry's protobuf schema: its own file, loaded by the OTLP receiver on first use.
    esbuild.context({
      ...nodeCommon,
      entryPoints: ['src/core/import/otlpProtobuf.ts'],
      outfile: 'dist/otlpProtobuf.js',
    }),
    esbuild.context({
      ...nodeCommon,
      entryPoints: ['src/cli.ts'],
      outfile: 'dist/cli.js',
      banner: { js: '#!/usr/bin/env node' },
    }),
    // Each CLI command in its own bundle (dist/cli-<name>.js), required by dist/cli.js when run, so a
    // status line in a shell prompt compiles only what it uses.
    esbuild.context({
      ...nodeCommon,
      entryPoints: {
        ...Object.fromEntries(CLI_COMMANDS.map((c) => [`cli-${c}`, `src/cli/commands/${c}.ts`])),
        // the status line's rollup path, required only when its cache cannot answer (src/cli/statuslineTotals.ts)
        'cli-statusline-rollups': 'src/cli/statuslineRollups.ts',
      },
      outdir: 'dist',
    }),
    // Loaded at run time from beside the bundles: report scan workers, and the OTLP exporter (lazily,
    // only when export is on, so activation and the CLI's other commands never load it).
    esbuild.context({
      ...nodeCommon,
      entryPoints: { scanWorker: 'src/core/report/scanWorker.ts', otlpSend: 'src/core/export/otlpSend.ts' },
      outdir: 'dist',
    }),
    ...(fs.existsSync(path.join(root, 'src/webview/panel.ts')) ? [esbuild.context({
      bundle: true,
      platform: 'browser',
      target: 'es2022',
      format: 'iife',
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
      plugins: [problemMatcher],
      entryPoints: ['src/webview/panel.ts'],
      outfile: 'media/panel.js',
    })] : []),
  ]);
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
  } else {
    await Promise.all(contexts.map((c) => c.rebuild()));
    await Promise.all(contexts.map((c) => c.dispose()));
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
