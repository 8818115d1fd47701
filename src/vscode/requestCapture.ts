// Development aid: saves each chat request as the provider received it (normalised to the core's
// ChatRequest) to a folder, so real client envelopes can be captured as test fixtures
// (test/fixtures/envelopes/README.md). Only in development and test mode, and only when the extension
// host's environment names the folder (RIGHTSIZE_CAPTURE_DIR): no setting can turn it on, so a workspace
// cannot make Rightsize write prompts to disk. Images are saved without their data.
import * as fs from 'fs';
import * as path from 'path';
import type { ChatRequest } from '../core/types';

export const CAPTURE_DIR_ENV = 'RIGHTSIZE_CAPTURE_DIR';

/** A function that saves requests, or undefined when capturing is off. */
export function requestCapture(env: NodeJS.ProcessEnv, developmentMode: boolean): ((request: ChatRequest) => void) | undefined {
  const dir = env[CAPTURE_DIR_ENV];
  if (!developmentMode || !dir || !path.isAbsolute(dir)) return undefined;
  let n = 0;
  let last = '';
  return (request) => {
    if (request.id === last) return; // a fallback announces a second decision for the same request
    last = request.id;
    const file = path.join(dir, `${String(++n).padStart(3, '0')}-${request.id}.json`);
    const messages = request.messages.map((m) => (typeof m.content === 'string' ? m : {
      ...m, content: m.content.map((p) => (p.type === 'image' ? { type: p.type, mimeType: p.mimeType, bytes: p.bytes } : p)),
    }));
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ ...request, messages }, null, 1));
    } catch {
      // A development aid: never let it break a request.
    }
  };
}
