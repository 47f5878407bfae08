/** `smiley run`: run a Python program under the tracer and record it into the database. */

import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { PyValue } from '../../../shared/wire/marshal.js'
import { openDatabase, type Db } from '../../db/database.js'
import { markLostRuns } from '../../db/runs.js'
import { shortId } from '../../console/format.js'
import { Output } from '../../console/output.js'
import { interpreterArgs, launch, type Target } from '../../record/launch.js'
import type { ProcessExit } from '../../record/outcome.js'
import { RunRecorder } from '../../record/run-recorder.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command, type Exit } from '../command.js'
import { CliError, UsageError } from '../errors.js'

/** How long to wait for the stream to close after the program exits (a forked child may hold it). */
const STREAM_GRACE_MS = 3000

export const runCommand: Command = {
  spec: {
    name: 'run',
    summary: 'Run a Python program and record everything it does.',
    usage: ['[options] [--] SCRIPT [ARGS…]', '[options] -m MODULE [ARGS…]'],
    description: [
      'Every line executed in your own code is recorded with the locals that changed, return',
      'values, exceptions and threads, plus cProfile statistics. The program keeps its own',
      'stdin, stdout, stderr and exit status. Options go before the script; everything after',
      'it is passed to the program.',
    ].join('\n'),
    options: [
      databaseOption,
      {
        name: 'module',
        short: 'm',
        kind: 'string',
        value: 'MODULE',
        help: 'run a library module as a script, like python -m',
        endsOptions: true,
      },
      {
        name: 'python',
        kind: 'string',
        value: 'PATH',
        help: 'the interpreter to run (3.8 or newer)',
        default: 'python3',
        env: 'SMILEY_PYTHON',
      },
      {
        name: 'description',
        kind: 'string',
        value: 'TEXT',
        help: 'how the run is listed (default: the command line)',
      },
      {
        name: 'max-repr',
        kind: 'integer',
        value: 'N',
        help: 'longest recorded value, in characters',
        default: 200,
      },
      {
        name: 'no-redact',
        kind: 'flag',
        help: 'record values of secret-looking names (password, token, api_key…) too',
      },
      { name: 'no-profile', kind: 'flag', help: 'do not record cProfile statistics' },
      { name: 'include-stdlib', kind: 'flag', help: 'record the standard library too' },
      { name: 'include-site-packages', kind: 'flag', help: 'record installed packages too' },
      {
        name: 'include-package',
        kind: 'list',
        value: 'NAME',
        help: 'record this installed package too',
      },
      {
        name: 'settrace',
        kind: 'flag',
        help: 'use sys.settrace even on Python 3.12+',
        hidden: true,
      },
    ],
    positionals: [
      { name: 'SCRIPT', help: 'the Python file to run' },
      { name: 'ARGS', help: "the program's own arguments", variadic: true },
    ],
    optionsEndAtPositional: true,
    examples: [
      'smiley run prog.py --verbose input.txt',
      'smiley run -m http.server 8000',
      'smiley run --include-package requests --max-repr 500 fetch.py',
      'smiley run --database /tmp/trace.db -- prog.py',
    ],
  },

  async run(args: ParsedArgs): Promise<Exit> {
    const target = chooseTarget(args)
    const python = text(args, 'python')
    const db = openDatabase(text(args, 'database'), { create: true })
    try {
      markLostRuns(db)
      return await record(db, python, target, args)
    } finally {
      db.close()
    }
  },
}

function chooseTarget(args: ParsedArgs): Target {
  const module = args.options['module']
  if (typeof module === 'string') return { kind: 'module', name: module, args: args.positionals }
  const [script, ...rest] = args.positionals
  if (script === undefined)
    throw new UsageError('missing SCRIPT: what should run? (see: smiley run --help)')
  if (!existsSync(script)) throw new CliError(`no such file: ${script}`, 2)
  if (statSync(script).isDirectory() && !existsSync(join(script, '__main__.py'))) {
    throw new CliError(`${script} is a folder without a __main__.py`, 2)
  }
  return { kind: 'script', path: script, args: rest }
}

async function record(db: Db, python: string, target: Target, args: ParsedArgs): Promise<Exit> {
  const uuid = randomUUID()
  const argv = interpreterArgs(target)
  const options = {
    maxRepr: Number(args.options['maxRepr']),
    redact: !args.options['noRedact'],
    profile: !args.options['noProfile'],
    includeStdlib: Boolean(args.options['includeStdlib']),
    includeSitePackages: Boolean(args.options['includeSitePackages']),
    includePackages: (args.options['includePackage'] as string[] | undefined) ?? [],
  }
  const description =
    typeof args.options['description'] === 'string' ? args.options['description'] : argv.join(' ')
  const { child, stream } = launch(python, target, {
    ...options,
    run: uuid,
    ...(target.kind === 'script' ? { script: resolve(target.path) } : {}),
    ...(args.options['settrace'] ? { settrace: true } : {}),
  })
  const recorder = new RunRecorder(db, (hello) => ({
    uuid,
    description,
    argv,
    cwd: str(hello['cwd']) ?? process.cwd(),
    python: str(hello['executable']),
    pythonVersion: str(hello['python']),
    host: str(hello['host']),
    pid: typeof hello['pid'] === 'number' ? hello['pid'] : null,
    backend: str(hello['backend']),
    startedAt: typeof hello['started'] === 'number' ? hello['started'] : Date.now() / 1000,
    options,
  }))
  stream.on('data', (chunk: Buffer) => recorder.push(chunk))
  const streamClosed = new Promise<void>((done) => stream.once('close', done))
  const stopForwarding = forwardSignals(child)
  let exit: ProcessExit
  try {
    exit = await new Promise<ProcessExit>((done, fail) => {
      child.once('error', fail)
      child.once('exit', (code, signal) => done({ code, signal }))
    })
  } catch (error) {
    stream.destroy()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      throw new CliError(`cannot run ${python}: no such interpreter (choose one with --python)`)
    throw new CliError(`cannot run ${python}: ${(error as Error).message}`)
  } finally {
    stopForwarding()
  }
  await Promise.race([
    streamClosed,
    new Promise((done) => setTimeout(done, STREAM_GRACE_MS).unref()),
  ])
  stream.destroy()
  const ending = recorder.finish(exit)
  if (ending === null) {
    throw new CliError(
      `${python} exited before Smiley's tracer started (${describeExit(exit)})`,
      exit.code || 1,
    )
  }
  if (process.stderr.isTTY) {
    const err = new Output(process.stderr)
    const note = recorder.problem ? ` (recording problem: ${recorder.problem})` : ''
    void err.line(
      err.style(
        'dim',
        `smiley: recorded run ${shortId(uuid)}, ${recorder.eventCount} events, ${ending.status}${note}`,
      ),
    )
  }
  if (exit.signal !== null) return { signal: exit.signal as NodeJS.Signals }
  return exit.code ?? 1
}

/**
 * SIGTERM and SIGHUP sent to smiley go on to the program. SIGINT does too unless stdin is a
 * terminal: Ctrl-C there already reaches the whole process group, program included.
 */
function forwardSignals(child: ChildProcess): () => void {
  const handlers: Array<[NodeJS.Signals, () => void]> = (
    ['SIGTERM', 'SIGHUP', 'SIGINT'] as const
  ).map((signal) => [
    signal,
    () => {
      if (signal === 'SIGINT' && process.stdin.isTTY) return
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
  ])
  for (const [signal, handler] of handlers) process.on(signal, handler)
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.code}`
}

function str(value: PyValue | undefined): string | null {
  return typeof value === 'string' ? value : null
}
