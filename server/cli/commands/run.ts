/**
 * `smiley run`: run a Python program under the tracer and record it into the database, or
 * with `--remote`, send its event stream to `smiley record` or `smiley monitor`.
 */

import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ACCELERATORS, type Accelerator, type TracerOptions } from '../../../shared/wire/options.js'
import { DatabaseError } from '../../db/database.js'
import { openStore } from '../../store/open.js'
import type { Store } from '../../store/store.js'
import type { Gate } from '../../record/gate.js'
import { shortId } from '../../console/format.js'
import { Output } from '../../console/output.js'
import { forwardSignals, ignoredAtStart, keepIgnoring } from '../../record/ignored-signals.js'
import { interpreterArgs, launch, type Target } from '../../record/launch.js'
import { exited, isInterrupt, type ProcessExit } from '../../record/outcome.js'
import {
  extraSecrets,
  redactArguments,
  redactText,
  type ExtraSecrets,
} from '../../record/redaction.js'
import { newRun, type RunInfo } from '../../record/run-info.js'
import { RunRecorder } from '../../record/run-recorder.js'
import { ChildRecorder, recordedChild, type ChildStream } from '../../children/child-recorder.js'
import { KEEPS, type Keep } from '../../record/test-runs.js'
import type { ParsedArgs } from '../args.js'
import { text, type Command, type Exit } from '../command.js'
import { CliError, UsageError } from '../errors.js'
import { checkedToken } from '../token.js'
import { runSpec } from './run-spec.js'

/** How long to wait for the stream to close after the program exits (a forked child may hold it). */
const STREAM_GRACE_MS = 3000

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

/** How the tracer records: the options a run is stored with. */
type RecordingOptions = Pick<
  TracerOptions,
  | 'maxRepr'
  | 'redact'
  | 'redactNames'
  | 'redactPatterns'
  | 'callReprs'
  | 'profile'
  | 'includeStdlib'
  | 'includeSitePackages'
  | 'includePackages'
  | 'perTest'
  | 'include'
  | 'exclude'
  | 'functions'
> & { keep?: Keep }

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

/** `--accelerator`, checked: how the tracer chooses between its native and Python paths. */
function accelerator(args: ParsedArgs): Accelerator {
  const choice = text(args, 'accelerator')
  const known = ACCELERATORS.find((name) => name === choice)
  if (known === undefined)
    throw new UsageError(`--accelerator must be one of ${ACCELERATORS.join(', ')}, not ${choice}`)
  return known
}

/**
 * Records the program into the store at `location`. The interpreter starts first, held before
 * the program's first line (see record/gate.ts), while the store opens: the two overlap. The
 * program starts once the run can be recorded, runs unrecorded when the database cannot be
 * written (said in one line), and never runs when the store fails to open.
 */
async function record(
  location: string,
  python: string,
  target: Target,
  args: ParsedArgs,
): Promise<Exit> {
  const { info, options } = plan(target, args)
  // Child processes connect once the program has started, after the store has opened: until
  // then there is nothing they could ask for.
  let childStore: Store | null = null
  const children = args.options['noChildren']
    ? null
    : await ChildRecorder.listenWith(
        () => (childStore === null ? unrecordedChild : recordedChild(childStore, info.options)),
        childOptions(options, args),
      )
  const tracing = startTracing(python, target, info.uuid, options, args, children, true)
  let store: Store | null = null
  try {
    store = await openForRecording(location)
    await store?.markLostRuns()
  } catch (error) {
    await store?.close()
    tracing.gate?.shut()
    await tracing.follow(() => undefined).catch(() => undefined)
    children?.close()
    throw error
  }
  if (store === null) {
    tracing.gate?.open()
    const exit = await tracing.follow(() => undefined)
    if (children !== null) await waitForChildren(children)
    return exitOf(exit)
  }
  try {
    childStore = store
    return await recordInto(store, tracing, info, python, children)
  } finally {
    await store.close()
  }
}

async function recordInto(
  store: Store,
  tracing: Tracing,
  info: RunInfo,
  python: string,
  children: ChildRecorder | null,
): Promise<Exit> {
  const recorder = new RunRecorder(store, (hello) => newRun(info, hello, process.cwd()))
  tracing.gate?.open()
  const exit = await tracing.follow((chunk) =>
    recorder.push(chunk) ? undefined : recorder.drained(),
  )
  const ending = await recorder.finish(exit)
  if (children !== null) await waitForChildren(children)
  const storageFailure = recorder.storageFailure
  if (storageFailure !== null) {
    // The program ran on without recording: one line says why, and its exit status stands.
    process.stderr.write(`smiley: ${storageFailure}\n`)
    return exitOf(exit)
  }
  if (ending === null) return endedBeforeTracing(python, exit)
  sayFailedTests(recorder)
  if (process.stderr.isTTY) {
    const err = new Output(process.stderr)
    const note = recorder.problem ? ` (recording problem: ${recorder.problem})` : ''
    void err.line(
      err.style(
        'dim',
        `smiley: recorded run ${shortId(info.uuid)}, ${recorder.eventCount} events, ${ending.status}${note}`,
      ),
    )
  }
  return exitOf(exit)
}

/**
 * One line per test that failed, naming its run, and how to open one: pytest's output is
 * above, untouched.
 */
function sayFailedTests(recorder: RunRecorder): void {
  const failed = recorder.failedTests
  for (const test of failed)
    process.stderr.write(`smiley: ${test.name} ${test.outcome}: run ${shortId(test.run)}
`)
  const first = failed[0]
  if (first !== undefined)
    process.stderr.write(
      `smiley: open one with: smiley replay ${shortId(first.run)}, or in the dashboard: smiley server\n`,
    )
}

/**
 * The database to record into; null when it cannot be written where it is (a read-only file
 * system, another user's file), which is said in one line: the program then runs unrecorded,
 * as it does when the database is locked.
 */
async function openForRecording(location: string): Promise<Store | null> {
  try {
    return await openStore(location, { create: true, lasting: true })
  } catch (error) {
    if (!(error instanceof DatabaseError) || !error.unwritable) throw error
    process.stderr.write(
      `smiley: could not record the run: ${error.message}; the program runs unrecorded\n`,
    )
    return null
  }
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

/** `--remote`: the stream goes to a recorder over HTTP; the program never waits for it. */
async function forward(url: URL, python: string, target: Target, args: ParsedArgs): Promise<Exit> {
  const { info, options } = plan(target, args)
  const token = checkedToken(args.options['token'])
  const bufferBytes = Number(args.options['remoteBuffer'])
  // Once each: a recorder that is down is the same news for every child.
  const said = new Set<string>()
  const say = (message: string) => {
    if (!said.has(message)) process.stderr.write(`smiley: ${message}\n`)
    said.add(message)
  }
  // Loaded only here: a local recording's start-up does not pay for Node's HTTP and TLS.
  const [{ Uploader }, { uploadedChild }] = await Promise.all([
    import('../../remote/uploader.js'),
    import('../../children/child-uploads.js'),
  ])
  const uploader = new Uploader({ url, token, run: info, bufferBytes, onStartFailure: say })
  // Each child's stream goes on to the recorder as a run of its own (child-uploads.ts).
  const children = args.options['noChildren']
    ? null
    : await ChildRecorder.listenWith(
        () => uploadedChild({ url, token, bufferBytes, runOptions: info.options, onProblem: say }),
        childOptions(options, args),
      )
  let exit: ProcessExit
  try {
    exit = await trace(
      python,
      target,
      info.uuid,
      options,
      args,
      (chunk) => uploader.push(chunk),
      children,
    )
  } catch (error) {
    uploader.cancel()
    throw error
  }
  const [result] = await Promise.all([
    uploader.finish(exit),
    children === null ? null : waitForChildren(children),
  ])
  if (!result.streamStarted) return endedBeforeTracing(python, exit)
  if (result.problem !== null) {
    process.stderr.write(`smiley: ${result.problem}\n`)
  } else if (result.summary !== null && process.stderr.isTTY) {
    const err = new Output(process.stderr)
    const { events, status } = result.summary
    void err.line(
      err.style(
        'dim',
        `smiley: sent run ${shortId(info.uuid)} to ${url.href}, ${events} events, ${status}`,
      ),
    )
  }
  return exitOf(exit)
}

/**
 * Runs the program under the tracer, handing each chunk of its event stream to `take`, and
 * resolves with how it ended once the stream is closed.
 */
function trace(
  python: string,
  target: Target,
  uuid: string,
  options: RecordingOptions,
  args: ParsedArgs,
  /** Takes a chunk; a promise returned means: read no more until it settles. */
  take: (chunk: Buffer) => void | Promise<void>,
  /** Where the program's children connect; closed here when the program cannot start. */
  children: ChildRecorder | null = null,
): Promise<ProcessExit> {
  return startTracing(python, target, uuid, options, args, children).follow(take)
}

/** A program started under the tracer, its event stream not read yet. */
interface Tracing {
  /** Holds the program before its first line, when it was started held. */
  gate: Gate | null
  /**
   * Hands each chunk of the event stream to `take`, and resolves with how the program ended
   * once the stream is closed.
   */
  follow(take: (chunk: Buffer) => void | Promise<void>): Promise<ProcessExit>
}

/** Starts the program under the tracer, held before its first line when `hold` is set. */
function startTracing(
  python: string,
  target: Target,
  uuid: string,
  options: RecordingOptions,
  args: ParsedArgs,
  /** Where the program's children connect; closed here when the program cannot start. */
  children: ChildRecorder | null,
  hold = false,
): Tracing {
  const { child, stream, gate } = launch(
    python,
    target,
    {
      ...options,
      run: uuid,
      ...(target.kind === 'script' ? { script: resolve(target.path) } : {}),
      ...(target.kind === 'code' ? { mainName: '<string>', mainSource: target.code } : {}),
      ...(target.kind === 'stdin' ? { mainName: '<stdin>', mainSource: target.source } : {}),
      ...(args.options['settrace'] ? { settrace: true } : {}),
      accelerator: accelerator(args),
    },
    process.env,
    children?.announcement() ?? {},
    hold,
  )
  const stopForwarding = forwardSignals(child)
  const streamClosed = new Promise<void>((done) => stream.once('close', done))
  // Listened for now: the interpreter may fail to start while the store opens.
  const ended = exited(child)
  ended.catch(() => undefined)
  const follow = async (take: (chunk: Buffer) => void | Promise<void>) => {
    stream.on('data', (chunk: Buffer) => {
      const taking = take(chunk)
      if (taking === undefined) return
      stream.pause()
      void taking.then(() => stream.resume())
    })
    let exit: ProcessExit
    try {
      exit = await ended
    } catch (error) {
      stream.destroy()
      children?.close()
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT')
        throw new CliError(`cannot run ${python}: no such interpreter (choose one with --python)`)
      throw new CliError(`cannot run ${python}: ${(error as Error).message}`)
    } finally {
      stopForwarding()
      gate?.shut()
    }
    await Promise.race([
      streamClosed,
      new Promise((done) => setTimeout(done, STREAM_GRACE_MS).unref()),
    ])
    stream.destroy()
    return exit
  }
  return { gate, follow }
}

/**
 * The interpreter ended before the tracer started. Stopped by a signal that asks it to stop
 * (SIGTERM during start-up), smiley dies of the same signal without a word, as the program
 * alone would have; anything else is said in one line.
 */
function endedBeforeTracing(python: string, exit: ProcessExit): Exit {
  const message = `${python} exited before Smiley's tracer started (${describeExit(exit)})`
  if (exit.signal === null) throw new CliError(message, exit.code || 1)
  if (!isInterrupt(exit.signal)) process.stderr.write(`smiley: ${message}\n`)
  return exitOf(exit)
}

function exitOf(exit: ProcessExit): Exit {
  if (exit.signal !== null) return { signal: exit.signal as NodeJS.Signals }
  return exit.code ?? 1
}

/** A child of a program recorded nowhere (the database cannot be written): its stream dropped. */
const unrecordedChild: ChildStream = { push: () => undefined, finish: () => null }

/** What child processes record with: the parent's options, without its script or its tests. */
function childOptions(options: RecordingOptions, args: ParsedArgs): Partial<TracerOptions> {
  const { perTest: _perTest, keep: _keep, ...shared } = options
  return {
    ...shared,
    accelerator: accelerator(args),
    ...(args.options['settrace'] ? { settrace: true } : {}),
  }
}

/**
 * The program has ended; its children may not have: the recording lasts until they do (or
 * until Ctrl-C, which ends their runs as they are).
 */
async function waitForChildren(children: ChildRecorder): Promise<void> {
  if (children.running > 0 && process.stderr.isTTY)
    process.stderr.write(
      `smiley: waiting for ${children.running} child process(es) still running (Ctrl-C stops recording them)\n`,
    )
  const stop = (): void => children.close()
  process.once('SIGINT', stop)
  try {
    await children.finish()
  } finally {
    process.off('SIGINT', stop)
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.code}`
}
