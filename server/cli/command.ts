/** What every CLI command provides, and the options they share. */

import type { EventFilter } from '../console/event-filter.js'
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
  help: 'the SQLite file holding the runs, or a PostgreSQL URL (postgres://user@host:port/db)',
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

/** The options of `replay` and `tail` that narrow the events printed. */
export const eventFilterOptions: OptionSpec[] = [
  { name: 'from', kind: 'integer', value: 'SEQ', help: 'start at this event number', default: 1 },
  { name: 'to', kind: 'integer', value: 'SEQ', help: 'stop after this event number' },
  { name: 'thread', kind: 'string', value: 'NAME', help: 'only the events of this thread' },
  {
    name: 'function',
    kind: 'string',
    value: 'NAME',
    help: 'only events in functions whose name holds NAME (ignoring case)',
  },
  {
    name: 'file',
    kind: 'string',
    value: 'PART',
    help: 'only events in files whose path holds PART (ignoring case)',
  },
]

/** The event filter the options of `eventFilterOptions` describe. */
export function eventFilter(args: ParsedArgs): EventFilter {
  const { to, thread, function: fn, file } = args.options
  return {
    ...(to === undefined ? {} : { to: Number(to) }),
    ...(thread === undefined ? {} : { thread: String(thread) }),
    ...(fn === undefined ? {} : { function: String(fn) }),
    ...(file === undefined ? {} : { file: String(file) }),
  }
}
