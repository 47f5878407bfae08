/** What every CLI command provides, and the options they share. */

import type { CommandSpec, OptionSpec, ParsedArgs } from './args.js'

/** How a command ends: an exit status, or a signal to die of (the traced program's). */
export type Exit = number | { signal: NodeJS.Signals }

export interface Command {
  spec: CommandSpec
  run(args: ParsedArgs): Promise<Exit> | Exit
}

export const databaseOption: OptionSpec = {
  name: 'database',
  short: 'd',
  kind: 'string',
  value: 'PATH',
  help: 'the SQLite file holding the runs',
  default: 'smiley.db',
  env: 'SMILEY_DB',
}

export const jsonOption: OptionSpec = {
  name: 'json',
  kind: 'flag',
  help: 'print JSON instead of text',
}

/** The value of a string option that has a default. */
export function text(args: ParsedArgs, name: string): string {
  return String(args.options[name] ?? '')
}
