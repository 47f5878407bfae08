/** The `smiley` command: dispatch to a command, and the single place errors become exit codes. */

import { onUpgrade } from '../db/upgrade-notice.js'
import { version } from '../paths.js'
import { StoreError } from '../store/errors.js'
import { closest, formatHelp, parseArgs } from './args.js'
import type { Exit } from './command.js'
import { applySettings } from '../config/settings.js'
import { ALL_COMMANDS, COMMAND_GROUPS } from './commands/index.js'
import { CliError, UsageError } from './errors.js'
import { mark } from '../startup-marks.js'

mark('smiley loaded')

function globalHelp(): string {
  const width = Math.max(...ALL_COMMANDS.map((c) => c.name.length))
  const lines = [
    'smiley: a spy for Python programs. It records every line a program runs, the variables',
    'as they change, return values, exceptions, threads and profile, into a SQLite database.',
    '',
    'Usage: smiley COMMAND [options]',
  ]
  for (const { group, commands } of COMMAND_GROUPS) {
    lines.push('', `${group}:`)
    for (const c of commands) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}`)
  }
  lines.push(
    '',
    'Run "smiley COMMAND --help" for the options of a command.',
    'Runs are kept in ./smiley.db unless --database PATH or SMILEY_DB says otherwise.',
  )
  return lines.join('\n') + '\n'
}

/** Runs the command line `argv` (without `node smiley`). */
export async function main(argv: readonly string[]): Promise<Exit> {
  onUpgrade((message) => process.stderr.write(`smiley: ${message}\n`))
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(globalHelp())
    return name === undefined ? 2 : 0
  }
  if (name === 'help') {
    const topic = ALL_COMMANDS.find((c) => c.name === rest[0])
    process.stdout.write(topic ? formatHelp((await topic.load()).spec) : globalHelp())
    return 0
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`smiley ${version}\n`)
    return 0
  }
  const entry = ALL_COMMANDS.find((c) => c.name === name)
  if (entry === undefined) {
    const guess = closest(
      name,
      ALL_COMMANDS.map((c) => c.name),
    )
    throw new UsageError(
      `unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''} (see: smiley --help)`,
    )
  }
  const command = await entry.load()
  const args = parseArgs(command.spec, rest)
  if (args.help) {
    process.stdout.write(formatHelp(command.spec))
    return 0
  }
  applySettings(command.spec.options, args)
  return command.run(args)
}

/** Entry point of bin/smiley.js: one line on stderr for any expected failure. */
export async function cli(argv: readonly string[]): Promise<void> {
  let exit: Exit
  try {
    exit = await main(argv)
  } catch (error) {
    exit = await report(error)
  }
  if (typeof exit === 'number') {
    process.exitCode = exit
    return
  }
  // The traced program died of a signal: so does smiley, so the shell sees the same thing.
  process.removeAllListeners(exit.signal)
  process.kill(process.pid, exit.signal)
}

async function report(error: unknown): Promise<number> {
  if (error instanceof CliError) {
    process.stderr.write(`smiley: ${error.message}\n`)
    return error.exitCode
  }
  // A database that fails under a command (corrupt pages, a full disk…) is no internal error.
  // Loaded only now: a command that never opened a database need not pay for its modules.
  const [{ RunNotFound }, { databaseFailure }] = await Promise.all([
    import('../db/runs.js'),
    import('../db/database.js'),
  ])
  const failure =
    error instanceof RunNotFound || error instanceof StoreError ? error : databaseFailure(error)
  if (failure !== null) {
    process.stderr.write(`smiley: ${failure.message}\n`)
    return 1
  }
  const detail =
    error instanceof Error
      ? process.env['SMILEY_DEBUG']
        ? error.stack
        : error.message
      : String(error)
  process.stderr.write(
    `smiley: internal error: ${detail}\n(please report it; set SMILEY_DEBUG=1 for the stack trace)\n`,
  )
  return 70
}
