// Captured real client envelopes (test/fixtures/envelopes/, README there): what VS Code handed the chat
// provider (`provider`, a ChatRequest) and what reached the fake backend (`backend`), request by request.
import * as fs from 'fs';
import * as path from 'path';
import type { ChatRequest } from '../../src/core/types';

export interface CapturedRequest {
  provider?: ChatRequest;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  backend: { path: string; body: any };
}

export interface Envelope {
  description: string;
  mode?: string;
  prompts: string[];
  requests: CapturedRequest[];
}

export const ENVELOPE_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'envelopes');

export function loadEnvelope(file: string): Envelope {
  return JSON.parse(fs.readFileSync(path.join(ENVELOPE_DIR, file), 'utf8')) as Envelope;
}

/** The ChatRequests the provider built, in order (VS Code captures). */
export function providerRequests(file: string): ChatRequest[] {
  return loadEnvelope(file).requests.map((r, i) => {
    if (!r.provider) throw new Error(`${file}: request ${i} has no provider entry`);
    return r.provider;
  });
}
