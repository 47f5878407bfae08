/**
 * The traced program itself, for `smiley run`: started under the tracer (held at its gate when
 * the recording is not ready yet), its event stream followed, and how it ended turned into
 * smiley's own exit. Loads nothing of the database: `smiley run` starts the interpreter first.
 */

import { resolve } from 'node:path'
import { ACCELERATORS, type Accelerator, type TracerOptions } from '../../../shared/wire/options.js'
import type { Gate } from '../../record/gate.js'
import { forwardSignals } from '../../record/ignored-signals.js'
import { launch, type Target } from '../../record/launch.js'
import { exited, isInterrupt, type ProcessExit } from '../../record/outcome.js'
import type { Keep } from '../../record/keep.js'
import { mark } from '../../startup-marks.js'
import type { ParsedArgs } from '../args.js'
import { text, type Exit } from '../command.js'
import { CliError, UsageError } from '../errors.js'

/** How long to wait for the stream to close after the program exits (a forked child may hold it). */
const STREAM_GRACE_MS = 3000

/** How the tracer records: the options a run is stored with. */
export type RecordingOptions = Pick<
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

/** A program started under the tracer, its event stream not read yet. */
export interface Tracing {
  /** Holds the program before its first line, when it was started held. */
  gate: Gate | null
  /**
   * Hands each chunk of the event stream to `take`, and resolves with how the program ended
   * once the stream is closed.
   */
  follow(take: (chunk: Buffer) => void | Promise<void>): Promise<ProcessExit>
}

/** `--accelerator`, checked: how the tracer chooses between its native and Python paths. */
export function accelerator(args: ParsedArgs): Accelerator {
  const choice = text(args, 'accelerator')
  const known = ACCELERATORS.find((name) => name === choice)
  if (known === undefined)
    throw new UsageError(`--accelerator must be one of ${ACCELERATORS.join(', ')}, not ${choice}`)
  return known
}

/**
 * Starts the program under the tracer, held before its first line when `hold` is set;
 * `announce`: the variables that make its children record (see children/child-door.ts).
 */
export function startTracing(
  python: string,
  target: Target,
  uuid: string,
  options: RecordingOptions,
  args: ParsedArgs,
  announce: Record<string, string>,
  /** Called when the program cannot start: what was readied for its children goes. */
  abandon: () => void,
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
    announce,
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
      mark('program exited')
    } catch (error) {
      stream.destroy()
      abandon()
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
export function endedBeforeTracing(python: string, exit: ProcessExit): Exit {
  const message = `${python} exited before Smiley's tracer started (${describeExit(exit)})`
  if (exit.signal === null) throw new CliError(message, exit.code || 1)
  if (!isInterrupt(exit.signal)) process.stderr.write(`smiley: ${message}\n`)
  return exitOf(exit)
}

export function exitOf(exit: ProcessExit): Exit {
  if (exit.signal !== null) return { signal: exit.signal as NodeJS.Signals }
  return exit.code ?? 1
}

/** What child processes record with: the parent's options, without its script or its tests. */
export function childOptions(options: RecordingOptions, args: ParsedArgs): Partial<TracerOptions> {
  const { perTest: _perTest, keep: _keep, ...shared } = options
  return {
    ...shared,
    accelerator: accelerator(args),
    ...(args.options['settrace'] ? { settrace: true } : {}),
  }
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.code}`
}
