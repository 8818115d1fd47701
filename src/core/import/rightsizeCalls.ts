// Copilot calls Rightsize made itself: Rightsize can route a request to one of GitHub Copilot's models
// (through VS Code's language-model API); Copilot then exports that call like its own, but Rightsize
// already recorded it. Such a call is recognised by model and time: a Rightsize record (not an import)
// of the same Copilot model that ended within MATCH_WINDOW_MS of the exported call.
import type { Ledger } from '../ledger';
import type { UsageRecord } from '../types';
import { canonicalModelId } from './modelResolver';
import type { ImportedUsage } from './types';

const MATCH_WINDOW_MS = 15_000;

export class RightsizeCopilotCalls {
  private readonly byModel = new Map<string, number[]>();

  /** Remembers a record when it is a Rightsize call to a Copilot model. */
  add(r: UsageRecord): void {
    if (r.surface === 'import' || r.model.provider !== 'copilot') return;
    const key = canonicalModelId(r.model.id);
    let list = this.byModel.get(key);
    if (!list) this.byModel.set(key, (list = []));
    list.push(Date.parse(r.ts));
  }

  /** True when `u` is a Copilot call Rightsize recorded itself. */
  has(u: ImportedUsage): boolean {
    const list = this.byModel.get(canonicalModelId(u.model));
    if (!list) return false;
    // One Rightsize record matches at most one exported call: matched entries are used up.
    const i = list.findIndex((ms) => Math.abs(ms - u.endMs) <= MATCH_WINDOW_MS);
    if (i < 0) return false;
    list.splice(i, 1);
    return true;
  }

  /** From the ledger's records since `since` (Rightsize's own Copilot calls only). */
  static async fromLedger(ledger: Ledger, since?: Date): Promise<RightsizeCopilotCalls> {
    const calls = new RightsizeCopilotCalls();
    for await (const r of ledger.records({ since })) calls.add(r);
    return calls;
  }
}
