// Modules the shipped build keeps in their own files beside dist/cli.js (`cli-<name>.js`, see
// esbuild.js), required only when used: each command, and the parts of a command that most runs skip.
import * as path from 'path';

export function bundled<T>(name: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, `cli-${name}.js`)) as T;
}
