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

/** The ledger for a command. `readOnly`: a command that only reads it (reports, export) does not repair
 *  torn last lines on open (readers skip them; the next writer terminates them before it appends). */
export function ledgerFromArgs(args: ParsedArgs, io: CliIo, { readOnly = false }: { readOnly?: boolean } = {}): Ledger {
  return new Ledger(ledgerDirFromArgs(args, io), { onWarning: (m) => io.stderr.write(`rightsize: ledger: ${m}\n`), repairOnOpen: !readOnly });
}
