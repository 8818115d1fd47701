// Where tiktoken's lite WASM and the encoder JSON files live at run time.
//
// Search order (first hit wins):
//   1. an explicit `assetDir` (holds `tiktoken_bg.wasm` and `encoders/<name>.json`, or the encoder
//      directly as `<name>.json`);
//   2. beside the running bundle: `__dirname/tiktoken_bg.wasm`, `__dirname/encoders/<name>.json`
//      (esbuild.js copies them to dist/ for the extension and the CLI);
//   3. node_modules, found by walking up from __dirname: `node_modules/tiktoken/lite/tiktoken_bg.wasm`
//      and `node_modules/tiktoken/encoders/<name>.json` (tests running from out/, development).
import * as fs from 'fs';
import * as path from 'path';
import type { TokenizerName } from '../types';

export interface TokenizerAssetPaths {
  wasmPath: string;
  encoderPath(name: TokenizerName): string;
}

function firstExisting(candidates: string[]): string | undefined {
  for (const c of candidates) {
    try {
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // not there; next candidate
    }
  }
  return undefined;
}

/** `dir`, its parent, … up to the root, each joined with `node_modules/tiktoken`. */
function nodeModulesCandidates(fromDir: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(fromDir);
  for (;;) {
    out.push(path.join(dir, 'node_modules', 'tiktoken'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

export function wasmCandidates(assetDir: string | undefined, baseDir: string = __dirname): string[] {
  const list: string[] = [];
  if (assetDir) list.push(path.join(assetDir, 'tiktoken_bg.wasm'), path.join(assetDir, 'lite', 'tiktoken_bg.wasm'));
  list.push(path.join(baseDir, 'tiktoken_bg.wasm'));
  for (const tk of nodeModulesCandidates(baseDir)) list.push(path.join(tk, 'lite', 'tiktoken_bg.wasm'));
  return list;
}

export function encoderCandidates(name: TokenizerName, assetDir: string | undefined, baseDir: string = __dirname): string[] {
  const file = `${name}.json`;
  const list: string[] = [];
  if (assetDir) list.push(path.join(assetDir, 'encoders', file), path.join(assetDir, file));
  list.push(path.join(baseDir, 'encoders', file));
  for (const tk of nodeModulesCandidates(baseDir)) list.push(path.join(tk, 'encoders', file));
  return list;
}

/** Resolves the asset paths, throwing a clear error naming every place looked at when one is missing. */
export function resolveTokenizerAssets(assetDir?: string, baseDir: string = __dirname): TokenizerAssetPaths {
  const wasmList = wasmCandidates(assetDir, baseDir);
  const wasmPath = firstExisting(wasmList);
  if (!wasmPath) {
    throw new Error(`Rightsize: tiktoken_bg.wasm not found; looked in:\n  ${wasmList.join('\n  ')}`);
  }
  return {
    wasmPath,
    encoderPath(name: TokenizerName): string {
      const list = encoderCandidates(name, assetDir, baseDir);
      const found = firstExisting(list);
      if (!found) throw new Error(`Rightsize: tokenizer ${name}.json not found; looked in:\n  ${list.join('\n  ')}`);
      return found;
    },
  };
}
