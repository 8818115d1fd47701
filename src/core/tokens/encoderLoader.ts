// Lazy, synchronous loading of tiktoken's lite build.
//
// `tiktoken/lite/init` is only the JS glue: it loads no WASM by itself (unlike `tiktoken/lite`, which
// instantiates its WASM when required). We compile the WASM ourselves, synchronously (allowed in Node
// for any size), from the path resolved in assets.ts, and hand its exports to the glue. Nothing here
// runs at import time: the glue is `require`d on the first count.
import * as fs from 'fs';
import type { TokenizerName } from '../types';
import { resolveTokenizerAssets } from './assets';

/** The part of tiktoken's lite Tiktoken class we use. */
export interface LiteEncoder {
  encode_ordinary(text: string): Uint32Array;
  free(): void;
}

/** The few WebAssembly APIs used here (the project's `lib` has no DOM/WebAssembly typings). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
}
const wasmApi = (): WasmApi => (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface LiteGlue {
  Tiktoken: new (bpeRanks: string, specialTokens: Record<string, number>, patStr: string) => LiteEncoder;
  __wbg_set_wasm(exports: Record<string, unknown>): void;
  /** Set by us on the glue module object once its WASM is instantiated. */
  __rightsizeWasmPath?: string;
}

/** Counts of heavy loads, process-wide: lets tests prove laziness and caching. */
const loadCounts = { wasm: 0, encoders: 0 };

export function tokenizerLoadCounts(): { wasm: number; encoders: number } {
  return { ...loadCounts };
}

function glueWithWasm(assetDir: string | undefined): LiteGlue {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const glue = require('tiktoken/lite/init') as LiteGlue;
  // The glue module holds a single WASM instance; encoders made with one instance must never be
  // used with another, so it is instantiated once per glue module and never replaced.
  if (!glue.__rightsizeWasmPath) {
    const { wasmPath } = resolveTokenizerAssets(assetDir);
    const wasm = wasmApi();
    const module = new wasm.Module(fs.readFileSync(wasmPath));
    const instance = new wasm.Instance(module, { './tiktoken_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    glue.__rightsizeWasmPath = wasmPath;
    loadCounts.wasm++;
  }
  return glue;
}

export interface EncoderFile { pat_str: string; special_tokens: Record<string, number>; bpe_ranks: string }

/** The encoder file's pattern and ranks (tiktoken's lite JSON). */
export function readEncoderFile(name: TokenizerName, assetDir?: string): EncoderFile {
  const file = resolveTokenizerAssets(assetDir).encoderPath(name);
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as EncoderFile;
  if (typeof data.bpe_ranks !== 'string' || typeof data.pat_str !== 'string') {
    throw new Error(`Rightsize: ${file} is not a tiktoken encoder file`);
  }
  return data;
}

/** Builds a new encoder (a few hundred ms for o200k_base: callers keep it). */
export function loadEncoder(name: TokenizerName, assetDir?: string): LiteEncoder {
  const glue = glueWithWasm(assetDir);
  const data = readEncoderFile(name, assetDir);
  const encoder = new glue.Tiktoken(data.bpe_ranks, data.special_tokens ?? {}, data.pat_str);
  loadCounts.encoders++;
  return encoder;
}
