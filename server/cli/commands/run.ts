/**
 * `smiley run`: run a Python program under the tracer and record it into the database, or
 * with `--remote`, send its event stream to `smiley record` or `smiley monitor`.
 *
 * This module loads nothing of the database or the recorder: the interpreter starts first,
 * held at its gate, and the recording's modules load and the store opens while it starts
 * (run-recording.ts), rather than before.
 */

import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ChildDoor } from '../../children/child-door.js'
import { ignoredAtStart, keepIgnoring } from '../../record/ignored-signals.js'
import { KEEPS, type Keep } from '../../record/keep.js'
import { interpreterArgs, type Target } from '../../record/launch.js'
import {
  extraSecrets,
  redactArguments,
  redactText,
  type ExtraSecrets,
} from '../../record/redaction.js'
import type { RunInfo } from '../../record/run-info.js'
import type { ParsedArgs } from '../args.js'
import { text, type Command, type Exit } from '../command.js'
import { CliError, UsageError } from '../errors.js'
import type { Held } from './run-recording.js'
import { mark } from '../../startup-marks.js'
import { runSpec } from './run-spec.js'
import { accelerator, childOptions, startTracing, type RecordingOptions } from './run-tracing.js'

export const runCommand: Command = {
  spec: runSpec,

  run: async (args: ParsedArgs) => recordProgram(await chooseTarget(args), args),
}

/** Interpreter options that keep Smiley's tracer from loading: ignoring PYTHONPATH, or site. */
const UNTRACEABLE = /^-[bBdEhiIOPqRsSuvV]*[IES][bBdEhiIOPqRsSuvV]*$/

/** Runs `target` as `args` say: recorded into the database, sent to a recorder, or unrecorded. */
export async function recordProgram(given: Target, args: ParsedArgs): Promise<Exit> {
  const target = { ...given, pythonArgs: pythonArgs(args) }
  keepIgnoring(ignoredAtStart())
  accelerator(args) // a wrong choice is refused before anything starts
  keep(args)
  const python = text(args, 'python')
  const remote = remoteUrl(args)
  if (remote !== null) return forward(remote, python, target, args)
  return record(text(args, 'database'), python, target, args)
}

async function chooseTarget(args: ParsedArgs): Promise<Target> {
  const module = args.options['module']
  if (typeof module === 'string') return { kind: 'module', name: module, args: args.positionals }
  const code = args.options['code']
  if (typeof code === 'string') return { kind: 'code', code, args: args.positionals }
  const [script, ...rest] = args.positionals
  if (script === undefined)
    throw new UsageError('missing SCRIPT: what should run? (see: smiley run --help)')
  if (script === '-') return { kind: 'stdin', source: await readStdin(), args: rest }
  if (!existsSync(script)) throw new CliError(`no such file: ${script}`, 2)
  if (statSync(script).isDirectory() && !existsSync(join(script, '__main__.py'))) {
    throw new CliError(`${script} is a folder without a __main__.py`, 2)
  }
  return { kind: 'script', path: script, args: rest }
}

/** All of stdin, as the interpreter would read a script from it. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** `--python-arg`, checked: none may keep the tracer from loading. */
function pythonArgs(args: ParsedArgs): string[] {
  const given = (args.options['pythonArg'] as string[] | undefined) ?? []
  const refused = given.find((arg) => UNTRACEABLE.test(arg))
  if (refused !== undefined)
    throw new UsageError(
      `--python-arg ${refused} would keep Smiley's tracer from loading (-I, -E and -S ignore PYTHONPATH or site)`,
    )
  return given
}

interface Plan {
  info: RunInfo
  options: RecordingOptions
}

function plan(target: Target, args: ParsedArgs): Plan {
  const extra = redactOption(args)
  const redact = !args.options['noRedact']
  const argv = interpreterArgs(target)
  const options: RecordingOptions = {
    maxRepr: Number(args.options['maxRepr']),
    redact,
    redactNames: extra.names,
    redactPatterns: extra.patterns,
    callReprs: Boolean(args.options['callRepr']),
    profile: !args.options['noProfile'],
    includeStdlib: Boolean(args.options['includeStdlib']),
    includeSitePackages: Boolean(args.options['includeSitePackages']),
    includePackages: (args.options['includePackage'] as string[] | undefined) ?? [],
    ...globs(args, 'include'),
    ...globs(args, 'exclude'),
    ...functions(args),
    ...(args.options['perTest'] ? { perTest: true, keep: keep(args) } : {}),
  }
  const shownArgv = redact ? redactArguments(argv, extra) : argv
  const description =
    typeof args.options['description'] === 'string'
      ? redact
        ? redactText(args.options['description'], extra)
        : args.options['description']
      : shownArgv.join(' ')
  return { info: { uuid: randomUUID(), description, argv: shownArgv, options }, options }
}

/** `--redact`, checked: names, and /patterns/ that compile. */
function redactOption(args: ParsedArgs): ExtraSecrets {
  const values = (args.options['redact'] as string[] | undefined) ?? []
  try {
    return extraSecrets(values)
  } catch (error) {
    throw new UsageError(`--redact: not a regular expression: ${(error as Error).message}`)
  }
}

/** `--include` or `--exclude`, when given. */
function globs(args: ParsedArgs, name: 'include' | 'exclude'): Partial<RecordingOptions> {
  const given = args.options[name] as string[] | undefined
  return given !== undefined && given.length > 0 ? { [name]: given } : {}
}

/** `--function`, when given; a name with nothing to match is refused. */
function functions(args: ParsedArgs): Partial<RecordingOptions> {
  const given = (args.options['function'] as string[] | undefined) ?? []
  for (const name of given)
    if (!/^[\p{L}_][\p{L}\p{N}_]*(\.[\p{L}_<][\p{L}\p{N}_>]*)*$/u.test(name))
      throw new UsageError(`--function: not a function name: ${JSON.stringify(name)}`)
  return given.length > 0 ? { functions: given } : {}
}

/** `--keep`, checked: which tests' runs stay once they have ended. */
function keep(args: ParsedArgs): Keep {
  const choice = text(args, 'keep')
  const known = KEEPS.find((name) => name === choice)
  if (known === undefined)
    throw new UsageError(`--keep must be one of ${KEEPS.join(', ')}, not ${choice}`)
  return known
}

/**
 * Records the program into the store at `location`. The interpreter starts first, held before
 * the program's first line (see record/gate.ts), while the recording's modules load and the
 * store opens: the two overlap.
 */
async function record(
  location: string,
  python: string,
  target: Target,
  args: ParsedArgs,
): Promise<Exit> {
  const { info, options } = plan(target, args)
  const door = args.options['noChildren'] ? null : new ChildDoor(childOptions(options, args))
  const held: Held = {
    door,
    children: null,
    tracing: startTracing(
      python,
      target,
      info.uuid,
      options,
      args,
      door?.announcement() ?? {},
      () => (held.children === null ? door?.remove() : held.children.close()),
      true,
    ),
  }
  mark('interpreter spawned')
  process.once('exit', () => mark('smiley exiting'))
  const { recordHeld } = await import('./run-recording.js')
  mark('recording loaded')
  return recordHeld(location, python, info, held)
}

/** The `--remote` URL, checked; null without the option. */
function remoteUrl(args: ParsedArgs): URL | null {
  const given = args.options['remote']
  if (typeof given !== 'string') return null
  let url: URL | null = null
  try {
    url = new URL(given)
  } catch {
    // reported below, with what a URL should look like
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UsageError(`--remote needs an http:// or https:// URL, such as http://host:8765`)
  return url
}

/**
 * `--remote`: the stream goes to a recorder over HTTP. Loaded only here: a local recording's
 * start-up does not pay for Node's HTTP and TLS.
 */
async function forward(url: URL, python: string, target: Target, args: ParsedArgs): Promise<Exit> {
  const { info, options } = plan(target, args)
  const remote = await import('./run-remote.js')
  return remote.forward(url, python, target, args, info, options)
}
