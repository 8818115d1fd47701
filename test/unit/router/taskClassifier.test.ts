import * as assert from 'node:assert/strict';
import { classifyFeatures, classifyTask, hasStackTrace, TaskKind } from '../../../src/core/router/taskClassifier';
import { extractFeatures } from '../../../src/core/router/features';
import { agentRequest, NODE_TRACE, PY_TRACE, req, TOOLS } from './fixtures';

const CODE = '```ts\nexport function parseDate(s: string): Date {\n  const [y, m, d] = s.split("-").map(Number);\n  return new Date(y, m - 1, d);\n}\n```';

const CASES: Array<[string, string, TaskKind]> = [
  ['one-line rename', 'Rename `usr` to `user` in this function', 'rename'],
  ['rename with please', 'please rename the variable tmp to buffer', 'rename'],
  ['docstring', `Add a docstring to this function\n${CODE}`, 'document'],
  ['jsdoc', 'Write JSDoc comments for the exported functions in this file', 'document'],
  ['README', 'Update the README with the new install steps', 'document'],
  ['explain function', `Explain what this function does\n${CODE}`, 'explain'],
  ['what is question', "What's the difference between an interface and a type alias in TypeScript?", 'explain'],
  ['unit test', 'Write a unit test for parseDate covering leap years', 'test'],
  ['tests with framework', 'Add vitest tests for the cart reducer', 'test'],
  ['fix stack trace', `Fix this:\n${NODE_TRACE}`, 'fix'],
  ['python traceback only', PY_TRACE, 'fix'],
  ['why does it throw', 'Why does this throw a TypeError when the list is empty?', 'fix'],
  ['race condition', 'Items in my async queue are sometimes processed twice; I think there is a race condition between the two workers.', 'fix'],
  ['security review', 'Review this login handler for SQL injection', 'fix'],
  ['extract method', 'Extract the validation logic into a separate function', 'refactor'],
  ['simplify', 'Simplify this loop', 'refactor'],
  ['implement', 'Implement an LRU cache with O(1) get and put', 'generate'],
  ['write a function', 'write a function that slugifies a title', 'generate'],
  ['design plugin architecture over 6 files', 'Design a plugin architecture across these 6 files so third parties can add exporters', 'design'],
  ['how should I structure', 'How should I structure the state management in my React app?', 'design'],
  ['trade-offs', 'What are the trade-offs between event sourcing and a CRUD model for the orders service?', 'design'],
  ['multi-file by phrase', 'Rename getUser to fetchUser across the codebase', 'multiFile'],
  ['multi-file by files', 'Update src/a.ts, src/b.ts and src/c.ts to use the new logger', 'multiFile'],
  ['call sites', 'Update all call sites of logger.info to the structured API', 'multiFile'],
];

describe('router/taskClassifier', () => {
  for (const [name, text, kind] of CASES) {
    it(`classifies "${name}" as ${kind}`, () => {
      const c = classifyFeatures(extractFeatures(req(text)));
      assert.equal(c.kind, kind, `signals: ${c.signals.join(' ')}`);
    });
  }

  it('reports internal kinds as shared task classes', () => {
    assert.equal(classifyTask(req('Rename `usr` to `user`')).task, 'refactor');
    assert.equal(classifyTask(req('Implement an LRU cache')).task, 'refactor');
    assert.ok(classifyTask(req('Implement an LRU cache')).signals.includes('kind:generate'));
  });

  it('classifies an inline request and a FIM suffix as completion, whatever the text says', () => {
    assert.equal(classifyTask(req('function fix', { surface: 'inline' })).task, 'completion');
    assert.equal(classifyTask(req('// explain the race condition\nconst x = ', { suffix: '\n}' })).task, 'completion');
    assert.deepEqual(classifyTask(req('const x = ', { suffix: '' })).signals, ['fimSuffix']);
  });

  it('classifies a long tool loop as agentic, and a first agent turn by its text', () => {
    assert.equal(classifyTask(agentRequest('Add pagination to the users endpoint', 15)).task, 'agentic');
    assert.equal(classifyTask(agentRequest('Rename usr to user', 0)).task, 'refactor');
    // Tool results without tools offered: not agentic.
    const noTools = agentRequest('Add pagination to the users endpoint', 15);
    delete noTools.tools;
    assert.notEqual(classifyTask(noTools).task, 'agentic');
    // One tool result in a short history with tools: the text decides.
    assert.equal(classifyTask(agentRequest('Write a unit test for parseDate', 1)).task, 'test');
  });

  it('takes the last user message, not earlier ones', () => {
    const r = req('Now add a docstring to it', {
      history: [
        { role: 'user', content: 'Fix this crash:\n' + NODE_TRACE },
        { role: 'assistant', content: 'Done.' },
      ],
    });
    assert.equal(classifyTask(r).task, 'document');
  });

  it('ignores keywords inside code fences', () => {
    const code = '```ts\n// TODO: fix race condition, rename, architecture, write tests\nthrow new Error("bug");\n```';
    assert.equal(classifyTask(req(`Add a docstring to this\n${code}`)).task, 'document');
  });

  it('reads text parts of structured content', () => {
    const r = req('');
    r.messages = [{ role: 'user', content: [{ type: 'text', text: 'Rename foo' }, { type: 'image', mimeType: 'image/png', bytes: 10 }, { type: 'text', text: 'to bar' }] }];
    assert.equal(classifyTask(r).task, 'refactor');
  });

  it('is deterministic and does not keep state between calls (global regexes reset)', () => {
    const r = req('Update src/a.ts, src/b.ts and src/c.ts to use the new logger');
    const first = classifyTask(r);
    for (let i = 0; i < 5; i++) assert.deepEqual(classifyTask(r), first);
    assert.equal(extractFeatures(r).files, 3);
  });

  it('counts stated file counts and distinct paths', () => {
    assert.equal(extractFeatures(req('Design a plugin architecture across these 6 files')).files, 6);
    assert.equal(extractFeatures(req('Look at src/a.ts and src/a.ts again, then lib/b.py')).files, 2);
    assert.equal(extractFeatures(req('call res.json() and JSON.parse on it')).files, 0);
    // Imports inside code are not files the user named; fence info strings and attachment tags are.
    const code = "```ts\nimport { a } from './a.js';\nimport { b } from './b.js';\nimport { c } from '../c.ts';\n```";
    assert.equal(extractFeatures(req(`Simplify this\n${code}`)).files, 0);
    assert.equal(classifyTask(req(`Simplify this\n${code}`)).task, 'refactor');
    const attached = '```ts src/one.ts\nx\n```\n```ts src/two.ts\ny\n```\n<attachment filePath="src/three.ts">z</attachment>\nMake these consistent';
    assert.equal(extractFeatures(req(attached)).files, 3);
    // File locations in a stack trace are not files named.
    assert.equal(extractFeatures(req(`Fix this:\n${NODE_TRACE}`)).files, 0);
  });

  it('recognises stack traces of the common runtimes, and not code that merely mentions them', () => {
    const traces: Record<string, string> = {
      node: NODE_TRACE,
      python: PY_TRACE,
      jvm: 'Exception in thread "main" java.lang.NullPointerException\n\tat com.acme.Orders.total(Orders.java:42)\n\tat com.acme.Main.main(Main.java:7)',
      dotnet: 'System.NullReferenceException: Object reference not set\n   at Acme.Orders.Total() in C:\\src\\Orders.cs:line 42',
      go: 'panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:8 +0x1d',
      rust: "thread 'main' panicked at src/main.rs:4:5:\nindex out of bounds",
      ruby: "app.rb:3:in `total': undefined method `price' for nil (NoMethodError)\n\tfrom app.rb:7:in `<main>'",
      php: 'PHP Fatal error:  Uncaught Error\n#0 /var/www/index.php(12): total()\n#1 {main}',
    };
    for (const [name, t] of Object.entries(traces)) assert.equal(hasStackTrace(`It crashes:\n${t}\n`), true, name);
    const notTraces = [
      'We meet at 10.\n  at least once a day we sync',
      '```ts\nconst at = 1;\n  // look at this\nfunction from(x) { return x; }\n```',
      '# Heading\n#1 priority is speed',
      'Traceback handling is described in the docs',
    ];
    for (const t of notTraces) assert.equal(hasStackTrace(t), false, t);
  });

  it('handles an empty conversation', () => {
    const r = req('');
    r.messages = [];
    assert.equal(classifyTask(r).task, 'refactor'); // nothing to go on: generic code request
    r.tools = TOOLS;
    assert.equal(classifyTask(r).task, 'refactor');
  });
});
