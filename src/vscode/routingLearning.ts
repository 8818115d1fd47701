// Learning from the user in the VS Code window: watches the chat door's decisions for escalations and
// acceptances (core/router/learningSignals.ts), keeps what was learned in a file in the extension's
// globalStorage (core/router/learningStore.ts: this machine only, Settings Sync does not carry it), gives
// the pipeline the workspace's floors, and runs *Retry with a Bigger Model* and *Reset What Routing Learned*.
//
// Retry, and what VS Code allows: an extension gets no handle on a chat's answers, so there is no API to
// "regenerate this answer with that model". What works:
//   1. Copilot Chat passes its chat session id to language-model providers (`modelOptions._conversationId`).
//      VS Code's own Retry command (`workbench.action.chat.retry`) takes `{ sessionResource }`, the session's
//      URI (`vscode-chat-session://local/<base64url id>`), and re-sends the session's last request with the
//      chat's selected model (still Rightsize Auto). Rightsize arms a floor above the rejected model for
//      that conversation first, so Auto answers the re-sent request with a bigger model, in place of the
//      old answer (VS Code asks first when that answer edited files).
//   2. When the chat gives no session id, or the re-sent request does not arrive within RESEND_WAIT_MS,
//      Rightsize offers to send the prompt again as a new message (`workbench.action.chat.open` with the
//      user's words from the envelope; attachments are not re-attached), with the same floor.
import * as vscode from 'vscode';
import { turnInfo } from '../core/conversation';
import type { Pipeline, PipelineEvent } from '../core/pipeline';
import type { RouteDecision } from '../core/router/router';
import { readEnvelope } from '../core/router/envelope';
import { fmtScore } from '../core/router/format';
import { FLOOR_STEP, LearnedAdjustments, LearnedFloorView, withFloor } from '../core/router/learning';
import { AutoTurn, ConversationWatch } from '../core/router/learningSignals';
import { LEARNING_FILE_NAME, LearningStore } from '../core/router/learningStore';
import type { ChatRequest, ModelSpec, WorkspaceRef } from '../core/types';
import { errorText } from '../core/errorText';

/** How long the in-place retry may take to reach the provider before the fallback is offered (Agent mode
 * builds its prompt first; a slow machine takes seconds). */
export const RESEND_WAIT_MS = 15_000;

export interface RetryOutcome {
  from: string;
  to: string;
  /** How the request was sent again: in place (VS Code's retry), as a new message, or not (resend: false / declined). */
  resent: 'inPlace' | 'newMessage' | 'none';
}

export interface RoutingLearningDeps {
  pipeline(): Pipeline;
  candidates(): Promise<ModelSpec[]>;
  workspace(): WorkspaceRef;
  log: vscode.LogOutputChannel;
  autoModelId: string;
}

interface LastAuto { turn: AutoTurn; request: ChatRequest }

export class RoutingLearning implements vscode.Disposable {
  readonly store: LearningStore;
  private readonly watch = new ConversationWatch();
  private lastAuto: LastAuto | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when what was learned changed (signal, reset). */
  readonly onDidChange = this.changed.event;
  private arrived: ((conversationId: string) => void) | undefined;

  constructor(storageDir: vscode.Uri, private readonly deps: RoutingLearningDeps) {
    this.store = new LearningStore(vscode.Uri.joinPath(storageDir, LEARNING_FILE_NAME).fsPath, (m) => deps.log.warn(`learning: ${m}`));
  }

  /** PipelineDeps.learned: the workspace's floors, plus a pending retry's floor for the retried request. */
  learnedFor(request: ChatRequest): LearnedAdjustments {
    const base = this.store.adjustments(request.workspace.id);
    if (!this.watch.retryPending) return base;
    const t = turnInfo(request);
    const floor = this.watch.floorFor(t.conversationId, t.turnId, new Date());
    if (!floor) return base;
    this.arrived?.(t.conversationId);
    return withFloor(base, floor);
  }

  /** The chat door's events: decisions become observations (escalations, acceptances). */
  observe(event: PipelineEvent, request: ChatRequest): void {
    if (event.type !== 'decision') return;
    const t = event.turn ? { conversationId: event.turn.conversation, turnId: event.turn.id, continuation: event.turn.continuation } : turnInfo(request);
    const auto = event.mode === 'auto';
    const at = new Date();
    const obs = {
      conversationId: t.conversationId, turnId: t.turnId, continuation: t.continuation, workspace: request.workspace,
      auto, model: { model: event.model.id, score: event.model.capability.score }, task: event.decision.task, at,
    };
    for (const signal of this.watch.observe(obs)) this.record(signal);
    const turn = this.watch.lastAutoTurn();
    if (auto && !t.continuation && turn && turn.turnId === t.turnId) this.lastAuto = { turn, request };
  }

  /** A line for the top of the answer when this decision is a retry's (the user should see what changed). */
  responseNote(event: PipelineEvent): string | undefined {
    if (event.type !== 'decision' || event.mode !== 'auto') return undefined;
    const learned = (event.decision as Partial<RouteDecision>).learned;
    if (!learned || !learned.reason.startsWith('retry')) return undefined;
    return `Rightsize: ${learned.reason.replace(/^retry/, 'retrying')} — ${event.model.id}.`;
  }

  /** The floors that hold in this workspace (panel). */
  describe(): LearnedFloorView[] {
    return this.store.describe(this.deps.workspace().id);
  }

  reset(scope: 'workspace' | 'all'): void {
    this.store.reset(scope === 'workspace' ? this.deps.workspace().id : undefined);
    this.deps.log.info(`learning: reset (${scope === 'workspace' ? `workspace ${this.deps.workspace().name}` : 'all workspaces'})`);
    this.changed.fire();
  }

  /**
   * *Rightsize: Retry with a Bigger Model*: the latest Auto answer in this window was not good enough.
   * Learns the escalation, then re-sends the request (see the header) unless `resend` is false.
   */
  async retryWithBiggerModel(options: { resend?: boolean } = {}): Promise<RetryOutcome | undefined> {
    const last = this.lastAuto;
    const turn = this.watch.lastAutoTurn();
    if (!last || !turn || last.turn !== turn) {
      void vscode.window.showInformationMessage(last
        ? 'Rightsize: the last Rightsize Auto answer was already retried or followed up; Retry works on the latest Auto answer.'
        : 'Rightsize: no Rightsize Auto answer to retry in this window yet.');
      return undefined;
    }
    const floorScore = Math.round((turn.model.score + FLOOR_STEP) * 10) / 10;
    const floor = { score: floorScore, reason: `retry with a bigger model than ${turn.model.model} (needs ≥ ${fmtScore(floorScore)})` };
    let next: { model: string; score: number };
    try {
      const pipeline = this.deps.pipeline();
      const d = await pipeline.decide(last.request, withFloor(this.store.adjustments(last.request.workspace.id), floor));
      const spec = (await this.deps.candidates()).find((m) => m.id === d.model && (!d.provider || m.provider === d.provider));
      const score = spec?.capability.score ?? 0;
      if (d.capabilityShortfall || score <= turn.model.score) {
        void vscode.window.showWarningMessage(`Rightsize: no allowed model is more capable than ${turn.model.model} for this request (check local-only, budgets, keys and Ollama's models).`);
        return undefined;
      }
      next = { model: d.model, score };
    } catch (e) {
      void vscode.window.showWarningMessage(`Rightsize: ${errorText(e)}`);
      return undefined;
    }
    this.record(this.watch.retry(turn, next, new Date()));
    this.lastAuto = undefined;
    const outcome: RetryOutcome = { from: turn.model.model, to: next.model, resent: 'none' };
    if (options.resend === false) return outcome;
    vscode.window.setStatusBarMessage(`Rightsize: retrying with ${next.model} (bigger than ${turn.model.model})…`, 8000);
    if (last.request.conversationId && await this.resendInPlace(last.request.conversationId, turn.conversationId)) {
      return { ...outcome, resent: 'inPlace' };
    }
    const words = readEnvelope(last.request.messages, last.request.tools).instruction.trim();
    if (!words) return outcome;
    const shown = words.length > 60 ? `${words.slice(0, 57)}…` : words;
    const choice = await vscode.window.showInformationMessage(
      `Rightsize could not re-send the last Auto request in place. Send “${shown}” again as a new message? Rightsize Auto will use ${next.model} or bigger.`,
      'Send Again',
    );
    if (choice !== 'Send Again') return outcome;
    await vscode.commands.executeCommand('workbench.action.chat.open', { query: words, isPartialQuery: false, modelSelector: { vendor: 'rightsize', id: this.deps.autoModelId } })
      .then(undefined, (e: unknown) => this.deps.log.warn(`learning: could not open the chat: ${errorText(e)}`));
    return { ...outcome, resent: 'newMessage' };
  }

  /** VS Code's own Retry on the chat session; true when the re-sent request reached the provider. */
  private async resendInPlace(sessionId: string, conversationId: string): Promise<boolean> {
    const sessionResource = vscode.Uri.from({ scheme: 'vscode-chat-session', authority: 'local', path: `/${Buffer.from(sessionId, 'utf8').toString('base64url')}` });
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<boolean>((resolve) => {
      this.arrived = (id) => { if (id === conversationId) resolve(true); };
      timer = setTimeout(() => resolve(false), RESEND_WAIT_MS);
    });
    try {
      await vscode.commands.executeCommand('workbench.action.chat.retry', { sessionResource });
    } catch (e) {
      this.deps.log.warn(`learning: VS Code's chat retry failed: ${errorText(e)}`);
      clearTimeout(timer);
      this.arrived = undefined;
      return false;
    }
    const ok = await arrived;
    clearTimeout(timer);
    this.arrived = undefined;
    return ok;
  }

  private record(signal: Parameters<LearningStore['record']>[0]): void {
    let line: string | undefined;
    try {
      line = this.store.record(signal);
    } catch (e) {
      this.deps.log.warn(`learning: could not save what was learned: ${errorText(e)}`);
      return;
    }
    if (line) {
      this.deps.log.info(line);
      this.changed.fire();
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

