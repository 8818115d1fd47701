// The services the commands and doors share (built by activation.ts, used by commands.ts).
import type * as vscode from 'vscode';
import type { DeviceProfile } from '../core/estimate';
import type { Pipeline } from '../core/pipeline';
import type { WorkspaceRef } from '../core/types';
import type { ApiKeys } from './apiKeys';
import type { ModelRegistry } from './modelRegistry';
import type { RoutingLearning } from './routingLearning';
import type { Settings } from './settings';

export interface Services {
  settings: Settings;
  keys: ApiKeys;
  registry: ModelRegistry;
  pipeline: Pipeline;
  learning: RoutingLearning;
  log: vscode.LogOutputChannel;
  workspace(): WorkspaceRef;
  session(): string;
  resetSession(): void;
  /** How to get a first model (start Ollama, add a key), phrased from what was found. */
  noModelsHelp(): string;
  deviceProfiles(): DeviceProfile[];
  openUsage(): void;
  exportUsage(): Promise<void>;
  editOtlpHeaders(): Promise<void>;
}
