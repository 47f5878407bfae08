/**
 * Starting a Python program under the tracer: its stdin, stdout and stderr are the
 * terminal's, the signals ignored when smiley started are ignored, and the event stream
 * arrives on a fourth, inherited descriptor.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { TracerOptions } from '../../shared/wire/options.js'
import { tracerDir } from '../paths.js'
import { Gate, GATE_FD } from './gate.js'
import { IGNORED_SIGNALS_ENV, ignoredAtStart, ignoringShell } from './ignored-signals.js'

/**
 * What to run: a script path, a module name, code given on the command line (`-c`) or a script
 * read from stdin (`-`); the program's own arguments; and the interpreter's options before it.
 */
export type Target = (
  | { kind: 'script'; path: string }
  | { kind: 'module'; name: string }
  | { kind: 'code'; code: string }
  | { kind: 'stdin'; source: string }
) & { args: string[]; pythonArgs?: string[] }

/** The interpreter's arguments for a target, as `python` would be given them. */
export function interpreterArgs(target: Target): string[] {
  return [...(target.pythonArgs ?? []), ...programArgs(target), ...target.args]
}

function programArgs(target: Target): string[] {
  switch (target.kind) {
    case 'script':
      return [target.path]
    case 'module':
      return ['-m', target.name]
    case 'code':
      return ['-c', target.code]
    case 'stdin':
      return ['-']
  }
}

export const STREAM_FD = 3

export interface Launched {
  child: ChildProcess
  stream: Readable
  /** Holds the program before its first line until opened (see gate.ts); null when not held. */
  gate: Gate | null
}

/** Spawns `python` running `target` with the tracer; `options.fd` is set here. */
export function launch(
  python: string,
  target: Target,
  options: Omit<TracerOptions, 'fd' | 'pythonPath'>,
  env: NodeJS.ProcessEnv = process.env,
  /** More variables for the program: SMILEY_CHILDREN, when its children are recorded. */
  announce: Record<string, string> = {},
  /** Hold the program before its first line until the returned gate opens. */
  hold = false,
): Launched {
  const tracerOptions: TracerOptions = {
    ...options,
    fd: STREAM_FD,
    pythonPath: env['PYTHONPATH'] ?? null,
    ...(hold ? { goFd: GATE_FD } : {}),
  }
  const ignored = ignoredAtStart(env)
  // Through sh only when there is something to ignore, and an interpreter to become: a missing
  // one is left for spawn() to report.
  const [command, args] =
    ignored.length > 0 && findExecutable(python, env) !== null
      ? ['/bin/sh', ['-c', ignoringShell(ignored), python, ...interpreterArgs(target)]]
      : [python, interpreterArgs(target)]
  // A script from stdin was read by smiley: the interpreter reads it from a pipe, to its end,
  // as it would have read it from smiley's stdin.
  const stdin = target.kind === 'stdin' ? 'pipe' : 'inherit'
  const child = spawn(command, args, {
    stdio: hold
      ? [stdin, 'inherit', 'inherit', 'pipe', 'pipe']
      : [stdin, 'inherit', 'inherit', 'pipe'],
    env: { ...tracerEnv(tracerOptions, env), ...announce },
  })
  if (target.kind === 'stdin') {
    child.stdin!.on('error', () => undefined) // an interpreter that never reads it
    child.stdin!.end(target.source)
  }
  const stream = child.stdio[STREAM_FD] as Readable
  const gate = hold ? new Gate(child.stdio[GATE_FD] as Writable) : null
  return { child, stream, gate }
}

/** `env` with the tracer importable first and told how to record (`SMILEY_OPTIONS`). */
export function tracerEnv(
  options: TracerOptions,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const original = env['PYTHONPATH']
  // The recorder's token is Smiley's, not the program's; an outer recording's children (smiley
  // ci running smiley run) are this recording's, announced by the caller when recorded.
  const {
    [IGNORED_SIGNALS_ENV]: _ignored,
    SMILEY_TOKEN: _token,
    SMILEY_CHILDREN: _children,
    ...programEnv
  } = env
  return {
    ...programEnv,
    PYTHONPATH: original ? `${tracerDir}${delimiter}${original}` : tracerDir,
    SMILEY_OPTIONS: JSON.stringify(options),
  }
}

/** Where `command` is, as a shell would find it on PATH; null when nowhere. */
function findExecutable(command: string, env: NodeJS.ProcessEnv): string | null {
  const candidates = command.includes('/')
    ? [command]
    : (env['PATH'] ?? '').split(delimiter).map((dir) => join(dir || '.', command))
  for (const candidate of candidates) {
    try {
      accessSync(isAbsolute(candidate) ? candidate : join(process.cwd(), candidate), constants.X_OK)
      return candidate
    } catch {
      // not there, or not executable: the next one
    }
  }
  return null
}
