// The chat door: a LanguageModelChatProvider (vendor `rightsize`). Offers “Rightsize Auto” plus one
// entry per available model; every request goes through the core pipeline (route, budget, stream,
// meter, ledger).
import * as vscode from 'vscode';
import { conversationIdFromOptions } from '../core/budget/conversationBudget';
import { AutoWindowChoice, autoWindow, inputTokensOf } from '../core/chat/autoWindow';
import { ModelLineTurns } from '../core/chat/modelLine';
import { encodeUsage, USAGE_MIME_TYPE } from '../core/chat/usagePart';
import { traceContextOf } from '../core/export/traceContext';
import { Pipeline, PipelineEvent, Target } from '../core/pipeline';
import { ChatMessage, ChatRequest, MessagePart, ModelSpec, TokenCounts, ToolDefinition, WorkspaceRef } from '../core/types';
import { errorText } from '../core/errorText';

export const AUTO_MODEL_ID = 'rightsize-auto';
const DEFAULT_AUTO_WINDOW: AutoWindowChoice = 'largest';

export interface ChatDoorDeps {
  pipeline: Pipeline;
  candidates(): Promise<ModelSpec[]>;
  onDidChangeModels: vscode.Event<void>;
  /** A plain string counts as text; a message with its chat framing. */
  countTokens(input: string | ChatMessage, model: ModelSpec | undefined): number;
  workspace(): WorkspaceRef;
  session(): string;
  /** What to tell the user when no model is available at all (how to start Ollama, add a key). */
  noModelsHelp(): string;
  /** Events the rest of the extension reacts to (suggestions, notices, routing log). */
  onEvent(event: PipelineEvent, request: ChatRequest): void;
  /** A line to show at the top of the answer for this event (e.g. a retry with a bigger model). */
  responseNote?(event: PipelineEvent): string | undefined;
  /** `rightsize.chat.autoWindow`: the window Auto advertises (core/chat/autoWindow.ts). */
  autoWindow?(): AutoWindowChoice;
  /** `rightsize.chat.showModelLine`: start a turn's answer with the model Auto chose. */
  showModelLine?(): boolean;
  log: vscode.LogOutputChannel;
}

interface RightsizeModelInfo extends vscode.LanguageModelChatInformation {
  readonly spec?: ModelSpec;
}

let requestCounter = 0;

export class RightsizeChatProvider implements vscode.LanguageModelChatProvider<RightsizeModelInfo> {
  readonly onDidChangeLanguageModelChatInformation: vscode.Event<void>;
  private readonly lines = new ModelLineTurns();

  constructor(private readonly deps: ChatDoorDeps) {
    this.onDidChangeLanguageModelChatInformation = deps.onDidChangeModels;
  }

  async provideLanguageModelChatInformation(_options: vscode.PrepareLanguageModelChatModelOptions, _token: vscode.CancellationToken): Promise<RightsizeModelInfo[]> {
    let models: ModelSpec[] = [];
    try {
      models = await this.deps.candidates();
    } catch (e) {
      this.deps.log.warn(`model discovery failed: ${errorText(e)}`);
    }
    const auto: RightsizeModelInfo = {
      id: AUTO_MODEL_ID,
      name: 'Rightsize Auto',
      family: 'rightsize-auto',
      version: '1',
      detail: models.length ? `routes among ${models.length} models` : 'no models yet: start Ollama or add an API key',
      tooltip: 'Routes each request to the smallest capable model (local Ollama or cloud) and meters its tokens, Wh and USD.',
      ...autoWindow(models, this.deps.autoWindow?.() ?? DEFAULT_AUTO_WINDOW),
      capabilities: { toolCalling: models.some((m) => m.tools) || models.length === 0, imageInput: models.some((m) => m.vision === true) },
    };
    return [auto, ...models.map((m) => toInfo(m))];
  }

  async provideLanguageModelChatResponse(
    model: RightsizeModelInfo,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const request: ChatRequest = {
      id: `chat-${Date.now().toString(36)}-${(++requestCounter).toString(36)}`,
      messages: messages.map(fromVsMessage),
      tools: options.tools?.map((t): ToolDefinition => ({ name: t.name, description: t.description, inputSchema: t.inputSchema as Record<string, unknown> | undefined })),
      surface: 'chat',
      workspace: this.deps.workspace(),
      session: this.deps.session(),
      maxOutputTokens: numberOption(options.modelOptions, 'max_tokens') ?? numberOption(options.modelOptions, 'maxTokens'),
      temperature: numberOption(options.modelOptions, 'temperature'),
    };
    if (request.tools && request.tools.length === 0) delete request.tools;
    const trace = traceContextOf(options.modelOptions);
    if (trace) request.trace = trace;
    const conversationId = conversationIdFromOptions(options.modelOptions);
    if (conversationId) request.conversationId = conversationId;
    const target: Target = model.id === AUTO_MODEL_ID ? { kind: 'auto' }
      : model.spec ? { kind: 'model', modelId: model.spec.id, provider: model.spec.provider }
      : { kind: 'model', modelId: model.id.replace(/^copilot\//, ''), provider: model.id.startsWith('copilot/') ? 'copilot' : undefined };
    if (target.kind === 'auto' && (await this.deps.candidates().catch(() => [])).length === 0) {
      progress.report(new vscode.LanguageModelTextPart(`**Rightsize has no model to answer with.** ${this.deps.noModelsHelp()}`));
      return;
    }
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    let answered = false;
    /** The model line, said before the turn's first text (after a fallback: for the model that answers). */
    let line: { line: string; turnId: string } | undefined;
    try {
      for await (const event of this.deps.pipeline.run(request, target, abort.signal)) {
        this.deps.onEvent(event, request);
        const note = answered ? undefined : this.deps.responseNote?.(event);
        if (note) progress.report(new vscode.LanguageModelTextPart(`*${note}*\n\n`));
        switch (event.type) {
          case 'decision':
            line = this.deps.showModelLine?.() === false ? undefined : this.lines.lineFor(request, event.model, event.mode, event.decision.reason);
            break;
          case 'text':
            answered = true;
            if (line && event.text.trim()) {
              progress.report(new vscode.LanguageModelTextPart(line.line));
              this.lines.markShown(line.turnId);
              line = undefined;
            }
            progress.report(new vscode.LanguageModelTextPart(event.text));
            break;
          case 'toolCall':
            answered = true;
            progress.report(new vscode.LanguageModelToolCallPart(event.callId, event.name, event.input));
            break;
          case 'done':
            reportUsage(progress, event.record.tokens);
            break;
          case 'notice':
            if (event.inResponse && !answered) progress.report(new vscode.LanguageModelTextPart(`*${event.message}*\n\n`));
            break;
          case 'blocked':
            progress.report(new vscode.LanguageModelTextPart(blockedLine(event.message)));
            break;
          default:
            break;
        }
      }
    } catch (e) {
      if (token.isCancellationRequested) return;
      const message = errorText(e);
      this.deps.log.error(`request ${request.id} failed: ${message}`);
      throw new Error(`Rightsize: ${message}`);
    } finally {
      sub.dispose();
    }
  }

  async provideTokenCount(model: RightsizeModelInfo, text: string | vscode.LanguageModelChatRequestMessage, _token: vscode.CancellationToken): Promise<number> {
    return this.deps.countTokens(typeof text === 'string' ? text : fromVsMessage(text), model.spec);
  }
}

/**
 * Ends the response with the usage part VS Code's chat reads (MIME type `usage`; core/chat/usagePart.ts), so
 * Copilot's context gauge and its telemetry see the real tokens. Hosts without LanguageModelDataPart skip it.
 */
function reportUsage(progress: vscode.Progress<vscode.LanguageModelResponsePart>, tokens: TokenCounts): void {
  if (typeof vscode.LanguageModelDataPart !== 'function') return;
  progress.report(new vscode.LanguageModelDataPart(encodeUsage(tokens), USAGE_MIME_TYPE));
}

/** The answer's line for a refused request: a message that already says what Rightsize did gets its first clause in bold. */
export function blockedLine(message: string): string {
  if (!message.startsWith('Rightsize ')) return `**Rightsize blocked this request.** ${message}`;
  const colon = message.indexOf(': ');
  return colon > 0 ? `**${message.slice(0, colon + 1)}** ${message.slice(colon + 2)}` : `**${message}**`;
}

/** The picker's id of a model: unique per vendor, so Copilot's models get a prefix (they reuse their makers' ids). */
export function chatModelId(m: ModelSpec): string {
  return m.provider === 'copilot' ? `copilot/${m.id}` : m.id;
}

function toInfo(m: ModelSpec): RightsizeModelInfo {
  const where = m.location === 'local' ? 'local' : m.provider === 'copilot' ? 'Copilot' : 'cloud';
  const params = m.params.activeB.min === m.params.activeB.max ? `${m.params.activeB.min}B active` : `${m.params.activeB.min}–${m.params.activeB.max}B active`;
  return {
    id: chatModelId(m),
    name: `${m.displayName}`,
    family: m.family ?? m.id,
    version: '1',
    detail: `Rightsize · ${where}`,
    tooltip: `${m.displayName} (${where}, ${params}, ${Math.round(m.contextTokens / 1000)}k context${m.tools ? ', tools' : ''}). Metered and budgeted by Rightsize.`,
    maxInputTokens: inputTokensOf(m),
    maxOutputTokens: m.maxOutputTokens,
    capabilities: { toolCalling: m.tools, imageInput: m.vision === true },
    spec: m,
  };
}

function numberOption(options: { readonly [name: string]: unknown } | undefined, key: string): number | undefined {
  const v = options?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** VS Code's request message -> the core's ChatMessage. Unknown part kinds are skipped. */
export function fromVsMessage(m: vscode.LanguageModelChatRequestMessage): ChatMessage {
  const parts: MessagePart[] = [];
  for (const p of m.content) {
    if (p instanceof vscode.LanguageModelTextPart) parts.push({ type: 'text', text: p.value });
    else if (p instanceof vscode.LanguageModelToolCallPart) parts.push({ type: 'toolCall', callId: p.callId, name: p.name, input: (p.input ?? {}) as Record<string, unknown> });
    else if (p instanceof vscode.LanguageModelToolResultPart) parts.push({ type: 'toolResult', callId: p.callId, content: toolResultText(p.content) });
    else if (isDataPart(p)) {
      if (p.mimeType.startsWith('image/')) parts.push({ type: 'image', mimeType: p.mimeType, bytes: p.data.byteLength, dataBase64: Buffer.from(p.data).toString('base64') });
      else if (p.mimeType.startsWith('text/') || p.mimeType === 'application/json') parts.push({ type: 'text', text: Buffer.from(p.data).toString('utf8') });
    }
  }
  const role = (m.role as number) === 2 ? 'assistant' : (m.role as number) === 3 ? 'system' : 'user';
  if (parts.length === 1 && parts[0].type === 'text') return { role, content: parts[0].text };
  return { role, content: parts };
}

function toolResultText(content: readonly unknown[]): string {
  const out: string[] = [];
  for (const c of content) {
    if (c instanceof vscode.LanguageModelTextPart) out.push(c.value);
    else if (c instanceof vscode.LanguageModelPromptTsxPart) out.push(typeof c.value === 'string' ? c.value : JSON.stringify(c.value));
    else if (isDataPart(c) && (c.mimeType.startsWith('text/') || c.mimeType === 'application/json')) out.push(Buffer.from(c.data).toString('utf8'));
    else if (typeof c === 'string') out.push(c);
  }
  return out.join('\n');
}

function isDataPart(p: unknown): p is { mimeType: string; data: Uint8Array } {
  return typeof p === 'object' && p !== null && typeof (p as { mimeType?: unknown }).mimeType === 'string' && (p as { data?: unknown }).data instanceof Uint8Array;
}
