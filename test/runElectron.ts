// Runs the in-host suite (test/suite) in a desktop VS Code downloaded by @vscode/test-electron.
// Needs a machine that can download VS Code (and a display, or xvfb-run on Linux).
// Usage: npm run test:electron            (VS Code "stable")
//        RIGHTSIZE_VSCODE_VERSION=1.106.0 npm run test:electron
// Where VS Code cannot be downloaded use `npm run test:host` (VS Code server + headless Chromium).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'suite', 'index.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rightsize-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(repoRoot, 'test', 'host', 'workspace'), workspace, { recursive: true });
  const outputDir = path.join(repoRoot, '.test-output', 'host');
  fs.mkdirSync(outputDir, { recursive: true });
  const resultsFile = path.join(outputDir, 'electron-results.json');
  fs.rmSync(resultsFile, { force: true });
  const ledgerDir = path.join(tmp, 'ledger');
  fs.mkdirSync(ledgerDir);
  try {
    await runTests({
      version: process.env.RIGHTSIZE_VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [
        workspace,
        '--disable-extensions', // every other extension; the development extension stays enabled
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir', path.join(tmp, 'user-data'),
      ],
      extensionTestsEnv: {
        RIGHTSIZE_TEST_RESULTS: resultsFile,
        RIGHTSIZE_LEDGER_DIR: ledgerDir,
      },
    }); // rejects (TestRunFailedError) when VS Code exits non-zero, i.e. when a test failed
  } finally {
    if (fs.existsSync(resultsFile)) {
      const s = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number; vscodeVersion: string };
      console.log(`VS Code ${s.vscodeVersion}: ${s.passed} passed, ${s.failed} failed`);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('Failed to run the in-host tests in desktop VS Code:', err);
  process.exit(1);
});
