// GitHub Copilot's models through VS Code's language-model API, for users who have Copilot.
// Copilot Chat (0.67+) ends each response with a usage data part (MIME type `usage`, core/chat/usagePart.ts):
// its tokens are `reported`. Without one (older Copilot), tokens are counted (`countTokens`), `counted`.
import * as vscode from 'vscode';
import { Catalog } from '../core/catalog/catalog';
import { decodeUsage, USAGE_MIME_TYPE } from '../core/chat/usagePart';
import { Backend, BackendError, ChatMessage, ChatRequest, ModelSpec, StreamPart, TokenCounts } from '../core/types';
import { errorText } from '../core/errorText';

const VENDOR = 'copilot';

/** Copilot models the user has, described from the catalog (`provider: copilot` entries, else the base model). */
export async function copilotModelSpecs(catalog: Catalog): Promise<ModelSpec[]> {
  const chats = await vscode.lm.selectChatModels({ vendor: VENDOR });
  const out: ModelSpec[] = [];
  const seen = new Set<string>();
  for (const chat of chats) {
    if (seen.has(chat.id)) continue;
    seen.add(chat.id);
    const base = catalog.get(chat.id, 'copilot') ?? catalog.get(chat.family, 'copilot') ?? catalog.get(chat.family) ?? catalog.get(chat.id);
    if (!base) continue; // unknown size: cannot meter honestly; leave it to Copilot itself
    out.push({
      ...base,
      id: chat.id,
      displayName: `${chat.name} (Copilot)`,
      provider: 'copilot',
      location: 'cloud',
      contextTokens: chat.maxInputTokens > 0 ? chat.maxInputTokens : base.contextTokens,
    });
  }
  return out;
}

export class CopilotBackend implements Backend {
  readonly provider = 'copilot' as const;

  async *stream(model: ModelSpec, request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamPart> {
    const [chat] = await vscode.lm.selectChatModels({ vendor: VENDOR, id: model.id });
    if (!chat) throw new BackendError(`GitHub Copilot does not offer ${model.id} to you right now. Sign in to Copilot, or pick another model.`, 'copilot', 'notFound');
    const source = new vscode.CancellationTokenSource();
    const onAbort = () => source.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    let ttftMs: number | undefined;
    let outputText = '';
    let reported: TokenCounts | undefined;
    const messages = request.messages.map(toVsMessage);
    try {
      const response = await chat.sendRequest(messages, {
        tools: request.tools?.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
        justification: 'Rightsize routes this request to a Copilot model you have.',
      }, source.token);
      for await (const part of response.stream) {
        if (signal.aborted) break;
        ttftMs ??= Date.now() - started;
        if (part instanceof vscode.LanguageModelTextPart) {
          outputText += part.value;
          yield { type: 'text', text: part.value };
        } else if (part instanceof vscode.LanguageModelToolCallPart) {
          outputText += part.name + JSON.stringify(part.input);
          yield { type: 'toolCall', callId: part.callId, name: part.name, input: part.input as Record<string, unknown> };
        } else if (part instanceof vscode.LanguageModelDataPart && part.mimeType === USAGE_MIME_TYPE) {
          reported = decodeUsage(part.data) ?? reported;
        }
      }
    } catch (e) {
      if (signal.aborted) {
        yield await usage(chat, messages, outputText, started, ttftMs, 'estimated');
        throw new BackendError('Request cancelled.', 'copilot', 'cancelled');
      }
      if (e instanceof vscode.LanguageModelError) {
        const kind = e.code === vscode.LanguageModelError.NoPermissions.name ? 'auth' : e.code === vscode.LanguageModelError.NotFound.name ? 'notFound' : 'server';
        throw new BackendError(`GitHub Copilot: ${e.message}`, 'copilot', kind);
      }
      throw new BackendError(`GitHub Copilot failed: ${errorText(e)}`, 'copilot', 'server');
    } finally {
      signal.removeEventListener('abort', onAbort);
      source.dispose();
    }
    yield reported
      ? { type: 'usage', usage: { tokens: reported, source: 'reported', durationMs: Date.now() - started, ttftMs } }
      : await usage(chat, messages, outputText, started, ttftMs, 'counted');
    if (signal.aborted) throw new BackendError('Request cancelled.', 'copilot', 'cancelled');
  }
}

async function usage(
  chat: vscode.LanguageModelChat, messages: vscode.LanguageModelChatMessage[], outputText: string,
  started: number, ttftMs: number | undefined, source: 'counted' | 'estimated',
): Promise<StreamPart> {
  let input = 0;
  for (const m of messages) input += await chat.countTokens(m).then((n) => n, () => 0);
  const output = outputText ? await chat.countTokens(outputText).then((n) => n, () => Math.ceil(outputText.length / 4)) : 0;
  return {
    type: 'usage',
    usage: { tokens: { input, cachedInput: 0, output, reasoning: 0 }, source, durationMs: Date.now() - started, ttftMs },
  };
}

function toVsMessage(m: ChatMessage): vscode.LanguageModelChatMessage {
  const parts = typeof m.content === 'string' ? [{ type: 'text' as const, text: m.content }] : m.content;
  const content: Array<vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart | vscode.LanguageModelToolResultPart> = [];
  for (const p of parts) {
    if (p.type === 'text') content.push(new vscode.LanguageModelTextPart(p.text));
    else if (p.type === 'toolCall') content.push(new vscode.LanguageModelToolCallPart(p.callId, p.name, p.input));
    else if (p.type === 'toolResult') content.push(new vscode.LanguageModelToolResultPart(p.callId, [new vscode.LanguageModelTextPart(p.content)]));
  }
  const role = m.role === 'assistant' ? vscode.LanguageModelChatMessageRole.Assistant : vscode.LanguageModelChatMessageRole.User;
  return new vscode.LanguageModelChatMessage(role, content);
}
