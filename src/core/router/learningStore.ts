// Where what the router learned (learning.ts) is kept: one small JSON file on this machine (the VS Code
// extension passes a file in its globalStorage folder, which Settings Sync does not carry). Never sent
// anywhere.
//
// Every change re-reads the file, applies the change and replaces the file atomically (temp file +
// rename), so two VS Code windows learning at once lose at most the other's change of the same instant,
// never the file. A file that cannot be parsed is moved aside (`.corrupt`) and learning starts over.
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import {
  describeLearning, emptyLearningState, LearnedAdjustments, learnedAdjustments, LearnedFloorView, LearningSignal,
  LearningState, parseLearningState, reset, update,
} from './learning';

export const LEARNING_FILE_NAME = 'learned-routing.json';

export class LearningStore {
  private state: LearningState | undefined;
  private mtimeMs = -1;

  constructor(readonly file: string, private readonly onWarning: (message: string) => void = () => undefined) {}

  /** The router's view for a workspace now. */
  adjustments(workspaceId: string, now = new Date()): LearnedAdjustments {
    return learnedAdjustments(this.current(), workspaceId, now);
  }

  /** The floors that hold in a workspace now (panel, log). */
  describe(workspaceId: string, now = new Date()): LearnedFloorView[] {
    return describeLearning(this.current(), workspaceId, now);
  }

  /** Applies a signal; returns the routing log's line when something changed. */
  record(signal: LearningSignal): string | undefined {
    const fresh = this.read();
    const { state, change } = update(fresh, signal);
    if (state !== fresh) this.write(state);
    return change;
  }

  /** Forgets one workspace's learning, or all of it. */
  reset(workspaceId?: string): void {
    this.write(reset(this.read(), workspaceId));
  }

  /** The cached state, re-read when another window changed the file. */
  private current(): LearningState {
    let mtime = -1;
    try { mtime = fs.statSync(this.file).mtimeMs; } catch { /* no file yet */ }
    if (!this.state || mtime !== this.mtimeMs) this.read();
    return this.state!;
  }

  private read(): LearningState {
    let text: string | undefined;
    try {
      this.mtimeMs = fs.statSync(this.file).mtimeMs;
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.onWarning(`could not read ${this.file}: ${(e as Error).message}`);
      this.mtimeMs = -1;
    }
    let state = emptyLearningState();
    if (text !== undefined) {
      try {
        state = parseLearningState(JSON.parse(text));
      } catch {
        const aside = `${this.file}.corrupt`;
        try { fs.renameSync(this.file, aside); } catch { /* gone already */ }
        this.onWarning(`${this.file} was not valid JSON; moved it to ${aside} and started learning over`);
        this.mtimeMs = -1;
      }
    }
    this.state = state;
    return state;
  }

  private write(state: LearningState): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 1), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.state = state;
    try { this.mtimeMs = fs.statSync(this.file).mtimeMs; } catch { this.mtimeMs = -1; }
  }
}
