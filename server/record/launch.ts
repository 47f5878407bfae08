/**
 * Starting a Python program under the tracer: its stdin, stdout and stderr are the
 * terminal's, and the event stream arrives on a fourth, inherited descriptor.
 */

import { spawn, type ChildProcess } from 'node:child_process'
import { delimiter } from 'node:path'
import type { Readable } from 'node:stream'
import type { TracerOptions } from '../../shared/wire/options.js'
import { tracerDir } from '../paths.js'

/** What to run: a script path or a module name, and the program's own arguments. */
export type Target =
  | { kind: 'script'; path: string; args: string[] }
  | { kind: 'module'; name: string; args: string[] }

/** The interpreter's arguments for a target, as `python` would be given them. */
export function interpreterArgs(target: Target): string[] {
  return target.kind === 'script'
    ? [target.path, ...target.args]
    : ['-m', target.name, ...target.args]
}

export const STREAM_FD = 3

export interface Launched {
  child: ChildProcess
  stream: Readable
}

/** Spawns `python` running `target` with the tracer; `options.fd` is set here. */
export function launch(
  python: string,
  target: Target,
  options: Omit<TracerOptions, 'fd' | 'pythonPath'>,
  env: NodeJS.ProcessEnv = process.env,
): Launched {
  const tracerOptions: TracerOptions = {
    ...options,
    fd: STREAM_FD,
    pythonPath: env['PYTHONPATH'] ?? null,
  }
  const child = spawn(python, interpreterArgs(target), {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: tracerEnv(tracerOptions, env),
  })
  const stream = child.stdio[STREAM_FD] as Readable
  return { child, stream }
}

/** `env` with the tracer importable first and told how to record (`SMILEY_OPTIONS`). */
export function tracerEnv(
  options: TracerOptions,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const original = env['PYTHONPATH']
  return {
    ...env,
    PYTHONPATH: original ? `${tracerDir}${delimiter}${original}` : tracerDir,
    SMILEY_OPTIONS: JSON.stringify(options),
  }
}
