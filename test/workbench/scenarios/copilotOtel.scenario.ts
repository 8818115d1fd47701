// Copilot Chat's own OpenTelemetry export, seen in the real workbench: with
// `github.copilot.chat.otel.enabled` and `…otel.outfile` set in the test profile, a turn that Rightsize's
// model answers (through the fake Ollama) is exported by Copilot as JSON lines. The scenario checks
// that Copilot's exported usage is the usage Rightsize recorded, and that importing the file adds no
// second record of the turn (Rightsize's own turns are skipped). RIGHTSIZE_CAPTURE_OTEL=path copies
// the exported file there (how test/fixtures/copilot-otel/ was made).
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { defaultEstimateSettings } from '../../../src/core/estimate';
import { runImport } from '../../../src/core/import';
import { Ledger } from '../../../src/core/ledger';
import type { UsageRecord } from '../../../src/core/types';
import { pickChatModel, sendChatPrompt, useFakeOllama } from '../chatPicker';
import { statusBarItem, WorkbenchScenario } from '../scenario';

const PROMPT = 'Explain what a binary search does in one sentence.';
const ANSWER = 'A binary search halves a sorted range on every step until it finds the target.';

let ollamaUrl = '';
let outfile = '';
let ledgerDir = '';

export const scenario: WorkbenchScenario = {
  name: 'copilot-otel',
  description: 'Copilot Chat exports a turn served by Rightsize as OpenTelemetry; importing the export adds nothing Rightsize already recorded',
  timeoutMs: 240_000,
  async setup(ctx) {
    outfile = path.join(ctx.tempDir, 'copilot-otel.jsonl');
    ledgerDir = ctx.env.RIGHTSIZE_LEDGER_DIR;
    ollamaUrl = await useFakeOllama(ctx, {
      'chat.allowAnonymousAccess': true,
      'github.copilot.chat.otel.enabled': true,
      'github.copilot.chat.otel.exporterType': 'file',
      'github.copilot.chat.otel.outfile': outfile,
    });
  },
  async run({ page, log }) {
    await statusBarItem(page, 'Rightsize', 90_000);
    await fetch(`${ollamaUrl}/_fake/script`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ text: ANSWER }]) });
    assert.ok(await pickChatModel(page, 'Rightsize Auto'), '“Rightsize Auto” never appeared in the chat model picker');
    await sendChatPrompt(page, PROMPT);
    await page.locator('.interactive-response').filter({ hasText: 'halves a sorted range' }).first().waitFor({ state: 'visible', timeout: 90_000 });
    log('Rightsize Auto answered');
    // The exporter batches: wait for the file to hold a span with usage.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(fs.existsSync(outfile) && fs.readFileSync(outfile, 'utf8').includes('gen_ai.usage.input_tokens'))) {
      await page.waitForTimeout(1000);
    }
    await page.waitForTimeout(8000); // let the span and log batches (5 s schedule) flush too
    const text = fs.existsSync(outfile) ? fs.readFileSync(outfile, 'utf8') : '';
    if (process.env.RIGHTSIZE_CAPTURE_OTEL) fs.copyFileSync(outfile, process.env.RIGHTSIZE_CAPTURE_OTEL);
    log(`Copilot exported ${text.split('\n').filter(Boolean).length} line(s)`);
    assert.ok(text.includes('gen_ai.usage.input_tokens'), 'Copilot exported no span with gen_ai usage');

    // What Copilot exported for the turn is the turn Rightsize recorded: one agent turn per chat record.
    const ledger = new Ledger(ledgerDir);
    const own: UsageRecord[] = [];
    for await (const r of ledger.records()) own.push(r);
    const turns = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { attributes?: Record<string, unknown> })
      .filter((o) => o.attributes?.['event.name'] === 'copilot_chat.agent.turn');
    assert.equal(own.filter((r) => r.surface === 'chat').length, 1, 'Rightsize recorded the turn');
    assert.equal(turns.length, 1, 'Copilot exported one agent turn');
    const exported = Number(turns[0].attributes!['gen_ai.usage.input_tokens']);
    // Copilot knows a third-party model's tokens only from the answer's usage part: Rightsize sends it, so
    // Copilot's count is Rightsize's real one (it recorded 0 before).
    assert.ok(exported > 0, `Copilot exported ${exported} input tokens for Rightsize's turn`);
    assert.equal(exported, own[0].tokens.input, 'Copilot\'s tokens are Rightsize\'s');
    log(`Copilot's agent turn: ${exported} input tokens; Rightsize's record: ${own[0].tokens.input}`);

    // Importing the export records nothing twice: the turn was Rightsize's.
    const summary = await runImport({ source: 'copilot-otel', roots: [outfile], ledger, settings: defaultEstimateSettings(), env: {} });
    assert.equal(summary.records, 0);
    assert.ok((summary.skipped.aggregate ?? 0) >= 1, `skipped: ${JSON.stringify(summary.skipped)}`);
    log(`import of Copilot's export: ${JSON.stringify(summary.skipped)} skipped, ${summary.records} records`);
  },
};
