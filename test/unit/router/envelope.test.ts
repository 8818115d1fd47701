// The envelope reader on captured requests of real clients (test/fixtures/envelopes/) and on pasted material.
import * as assert from 'node:assert/strict';
import { readEnvelope } from '../../../src/core/router/envelope';
import type { ClientShape } from '../../../src/core/router/envelope';
import type { ChatMessage } from '../../../src/core/types';
import { envelopeFiles, loadEnvelope } from '../../util/envelopeFixtures';

const CLIENT_OF_FILE: Readonly<Record<string, ClientShape>> = {
  'claude-code-rename-toolloop.json': 'claude-code',
  'cline-cli-rename-toolloop.json': 'cline',
  'cline-extension-task-reproduced.json': 'cline',
  'ollama-fim-generate.json': 'fim',
  'vscode-agent-design.json': 'vscode-agent',
  'vscode-agent-rename-toolloop.json': 'vscode-agent',
  'vscode-ask-rename.json': 'vscode-ask',
  'vscode-inline-rename.json': 'vscode-inline',
  'vscode-plan-rename.json': 'vscode-plan',
};

function read(file: string, i: number) {
  const e = loadEnvelope(file);
  const r = e.requests[i];
  return { fixture: e, env: readEnvelope(r.messages, r.tools, { suffix: r.suffix }) };
}

describe('envelope reader: captured requests of real clients', () => {
  it('every captured file is covered by these tests', () => {
    assert.deepEqual(envelopeFiles(), Object.keys(CLIENT_OF_FILE).sort());
  });

  for (const [file, client] of Object.entries(CLIENT_OF_FILE)) {
    it(`${file}: recognised as ${client}; each request's instruction is the words the user typed for its turn`, () => {
      const fx = loadEnvelope(file);
      fx.requests.forEach((r, i) => {
        const env = readEnvelope(r.messages, r.tools, { suffix: r.suffix });
        assert.equal(env.client, client, `request ${i}`);
        assert.equal(env.toolCount, r.tools?.length ?? 0);
        if (client === 'fim') {
          assert.equal(env.instruction, '');
          assert.equal(env.context.length, String(r.messages[0].content).length + (r.suffix ?? '').length);
          return;
        }
        assert.equal(env.instruction, fx.prompts[env.userTurns - 1], `request ${i}`);
        assert.ok(env.boilerplateChars > 0, 'host text is counted');
      });
    });
  }

  it('Copilot Agent: the environment message is not a turn; the tool result continues turn 1; the follow-up is turn 2', () => {
    const steps = [0, 1, 2].map((i) => read('vscode-agent-rename-toolloop.json', i).env);
    assert.deepEqual(steps.map((e) => [e.userTurns, e.toolLoopContinuation]), [[1, false], [1, true], [2, false]]);
    assert.equal(steps[0].turnStart, steps[1].turnStart);
    assert.equal(steps[2].firstInstruction, 'Rename the variable t to total in app.js');
    // The read_file result is context of the continuation; the 10.5k-character system prompt is not.
    assert.equal(steps[1].context, 'const t = 1 + 2;\nconsole.log(t);\nmodule.exports = t;');
    assert.ok(steps[0].boilerplateChars > 10_000);
    assert.equal(steps[0].shape.filesNamed, 1);
    assert.equal(steps[0].shape.chars, 0);
  });

  it('tool loops of Claude Code, the Cline CLI and the Cline extension (text results) are continuations', () => {
    for (const file of ['claude-code-rename-toolloop.json', 'cline-cli-rename-toolloop.json', 'cline-extension-task-reproduced.json']) {
      assert.equal(read(file, 0).env.toolLoopContinuation, false, file);
      const cont = read(file, 1).env;
      assert.equal(cont.toolLoopContinuation, true, file);
      assert.equal(cont.userTurns, 1, file);
      assert.match(cont.context, /const t = 1 \+ 2;/, file);
      assert.doesNotMatch(cont.context, /system-reminder|environment_details/, file);
    }
  });

  it('Ask mode: the attached active file is context (an attachment with its path), not instruction', () => {
    const env = read('vscode-ask-rename.json', 0).env;
    assert.equal(env.shape.attachments, 1);
    assert.equal(env.shape.filesNamed, 1);
    assert.match(env.context, /module\.exports = t;/);
    assert.doesNotMatch(env.instruction, /module\.exports/);
  });

  it('inline chat: the file and cursor context are context, the prompt is the instruction', () => {
    const env = read('vscode-inline-rename.json', 0).env;
    assert.equal(env.userTurns, 1);
    assert.equal(env.shape.attachments, 1);
    assert.equal(env.shape.codeLines, 3);
    assert.equal(env.shape.filesNamed, 1);
  });
});

describe('envelope reader: pasted material and unknown shapes', () => {
  const user = (content: string): ChatMessage => ({ role: 'user', content });

  it('code fences, stack traces and diffs pasted into the words are context, measured by shape', () => {
    const text = [
      'Why does this crash?',
      '```ts src/user.ts',
      'export function getUser(id: string) {',
      '  return users.get(id).name;',
      '}',
      '```',
      "TypeError: Cannot read properties of undefined (reading 'name')",
      '    at getUser (/app/src/user.ts:2:23)',
      '    at async handle (/app/src/router.ts:10:5)',
      'and here is what I changed:',
      '@@ -1,3 +1,3 @@',
      '-  return users.get(id)?.name;',
      '+  return users.get(id).name;',
    ].join('\n');
    const env = readEnvelope([user(text)]);
    assert.equal(env.client, 'unknown');
    assert.equal(env.instruction, 'Why does this crash?\nsrc/user.ts\nand here is what I changed:');
    assert.equal(env.shape.codeBlocks, 1);
    assert.equal(env.shape.codeLines, 3);
    assert.equal(env.shape.stackTraces, 1);
    assert.equal(env.shape.diffHunks, 1);
    assert.equal(env.shape.errorLines, 1);
    assert.equal(env.shape.filesNamed, 1);
  });

  it('an unknown client: the last user message minus anything that looks like a system reminder', () => {
    const env = readEnvelope([
      { role: 'system', content: 'You are helpful.' },
      user('<system-reminder>Always fix security issues and design for performance.</system-reminder>\nExplain this regex'),
    ]);
    assert.equal(env.instruction, 'Explain this regex');
    assert.equal(env.userTurns, 1);
    assert.ok(env.boilerplateChars > 50);
  });

  it('a user message of only reminders is not a turn; constraints are counted in a pasted problem', () => {
    const env = readEnvelope([
      user('Solve it in C++.\n```\nGiven n (1 ≤ n ≤ 2·10^5) numbers, print the answer modulo 998244353.\n```'),
      { role: 'assistant', content: 'Sure.' },
      user('<system-reminder>Todo list is empty.</system-reminder>'),
    ]);
    assert.equal(env.userTurns, 1);
    assert.equal(env.instruction, 'Solve it in C++.');
    assert.ok(env.shape.constraintMentions >= 1);
  });
});
