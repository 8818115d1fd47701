// `--ledger DIR` (or RIGHTSIZE_LEDGER_DIR, else the per-user default) for every command.
import * as os from 'os';
import { defaultLedgerDir, Ledger } from '../core/ledger';
import { OptionSpec, ParsedArgs, stringOption } from './args';
import { CliIo } from './io';

export const LEDGER_OPTION: Record<string, OptionSpec> = {
  ledger: { value: true, placeholder: 'DIR', description: 'Ledger directory (default: $RIGHTSIZE_LEDGER_DIR, else the per-user default shared with VS Code)' },
};

export function ledgerDirFromArgs(args: ParsedArgs, io: CliIo): string {
  return stringOption(args, 'ledger') ?? defaultLedgerDir(io.env, process.platform, os.homedir());
}

export function ledgerFromArgs(args: ParsedArgs, io: CliIo): Ledger {
  return new Ledger(ledgerDirFromArgs(args, io), { onWarning: (m) => io.stderr.write(`rightsize: ledger: ${m}\n`) });
}
