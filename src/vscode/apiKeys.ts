// API keys live only in VS Code's SecretStorage: never in settings, logs, the ledger or messages.
import * as vscode from 'vscode';

export type KeyedProvider = 'openai' | 'anthropic';

const LABELS: Record<KeyedProvider, { name: string; hint: string; pattern: RegExp }> = {
  openai: { name: 'OpenAI (or OpenAI-compatible)', hint: 'sk-…', pattern: /^\S{8,}$/ },
  anthropic: { name: 'Anthropic', hint: 'sk-ant-…', pattern: /^\S{8,}$/ },
};

export class ApiKeys implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<KeyedProvider>();
  readonly onDidChange = this.emitter.event;
  private readonly present = new Map<KeyedProvider, boolean>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.sub = secrets.onDidChange((e) => {
      const p = providerOf(e.key);
      if (p) { this.present.delete(p); this.emitter.fire(p); }
    });
  }

  get(provider: KeyedProvider): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(secretKey(provider)));
  }

  async has(provider: KeyedProvider): Promise<boolean> {
    const known = this.present.get(provider);
    if (known !== undefined) return known;
    const has = !!(await this.get(provider));
    this.present.set(provider, has);
    return has;
  }

  async set(provider: KeyedProvider, key: string): Promise<void> {
    await this.secrets.store(secretKey(provider), key.trim());
    this.present.set(provider, true);
  }

  async delete(provider: KeyedProvider): Promise<void> {
    await this.secrets.delete(secretKey(provider));
    this.present.set(provider, false);
  }

  /** The “Manage API Keys…” command: pick a provider, then enter or remove its key. */
  async manage(): Promise<void> {
    const items = await Promise.all((Object.keys(LABELS) as KeyedProvider[]).map(async (p) => ({
      label: LABELS[p].name,
      description: (await this.has(p)) ? '$(check) key stored' : 'no key',
      provider: p,
    })));
    const pick = await vscode.window.showQuickPick(items, { title: 'Rightsize: Manage API Keys', placeHolder: 'Choose a provider' });
    if (!pick) return;
    const stored = await this.has(pick.provider);
    const action = stored
      ? await vscode.window.showQuickPick([{ label: 'Replace key', id: 'set' }, { label: 'Remove key', id: 'remove' }], { title: `${pick.label} API key` })
      : { id: 'set' };
    if (!action) return;
    if (action.id === 'remove') {
      await this.delete(pick.provider);
      void vscode.window.showInformationMessage(`Rightsize: removed the ${pick.label} API key.`);
      return;
    }
    const key = await vscode.window.showInputBox({
      title: `${pick.label} API key`,
      prompt: 'Stored in VS Code\'s secret storage; never written to settings or logs.',
      placeHolder: LABELS[pick.provider].hint,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (LABELS[pick.provider].pattern.test(v.trim()) ? undefined : 'That does not look like an API key (no spaces, at least 8 characters).'),
    });
    if (!key) return;
    await this.set(pick.provider, key);
    void vscode.window.showInformationMessage(`Rightsize: stored the ${pick.label} API key.`);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

function secretKey(provider: KeyedProvider): string {
  return `rightsize.apiKey.${provider}`;
}

function providerOf(key: string): KeyedProvider | undefined {
  const m = /^rightsize\.apiKey\.(openai|anthropic)$/.exec(key);
  return m ? (m[1] as KeyedProvider) : undefined;
}
