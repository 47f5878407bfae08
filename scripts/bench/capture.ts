/**
 * Running a workload once, in one of four ways: untraced, under a bare `sys.settrace` that
 * only counts events, recorded by `smiley run`, and under the tracer alone with its stream
 * drained and thrown away (what the tracer costs without the database behind it). Each run's
 * figures come from the JSON line the workload prints, so start-up costs of the interpreter,
 * Node and the tracer stay out of them.
 */

import { spawn } from 'node:child_process'
import { existsSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import Database from 'better-sqlite3'
import { tracerEnv } from '../../server/record/launch.js'
import { loads, PyDict } from '../../shared/wire/marshal.js'
import { benchTracerOptions } from './workloads.js'

export const ROOT = resolve(import.meta.dirname, '..', '..')
const SMILEY = join(ROOT, 'bin', 'smiley.js')
const SMILEY_BUILD = join(ROOT, 'dist', 'server', 'cli', 'main.js')
const SETTRACE_BASELINE = join(import.meta.dirname, 'settrace_baseline.py')

/** How the tracer runs its hot path: `smiley run --accelerator`. */
export type Accelerator = 'python' | 'native'

/** A slow run is a hung run long before this. */
const TIMEOUT_MS = 15 * 60_000

/** A failure the user can act on: printed as one line, without a stack trace. */
export class BenchError extends Error {
  override name = 'BenchError'
}

/** What one run of a workload reported. */
export interface Capture {
  /** Whatever the workload computed; equal across the three ways or the run is wrong. */
  checksum: unknown
  /** The workload's own perf_counter time around its work. */
  seconds: number
  /** The interpreter's CPU time over the same work (process_time), when the workload says. */
  cpu: number | null
  /** The whole process, start-up included. */
  wallSeconds: number
}

export interface SettraceCapture extends Capture {
  /** Events the counting trace function saw (every frame, the standard library's too). */
  events: number
}

export interface SmileyCapture extends Capture {
  /** `runs.event_count`: events Smiley recorded. */
  events: number
  lostEvents: number
  /** Size of the database and its write-ahead log after the run. */
  bytes: number
  /** `settrace` or `monitoring`, as the tracer chose. */
  backend: string | null
}

export interface TracerCapture extends Capture {
  /** Bytes of event stream the tracer wrote. */
  bytes: number
  /** Whether the native accelerator ran (hello's `native`). */
  native: boolean
}

/** What a single run needs to know. */
export interface Target {
  python: string
  workload: string
  scale: number
  /** How errors name the run, e.g. `arithmetic on 3.11`. */
  label: string
}

export function runUntraced(target: Target): Promise<Capture> {
  return capture(target.python, [target.workload, String(target.scale)], target)
}

export async function runSettrace(target: Target): Promise<SettraceCapture> {
  const { result, stderr } = await captureWithStderr(
    target.python,
    [SETTRACE_BASELINE, target.workload, String(target.scale)],
    target,
  )
  const line = lastJsonLine(stderr, (value) => typeof value['settraceEvents'] === 'number')
  if (line === null)
    throw new BenchError(
      `${describe(target)}: the settrace baseline did not report its event count`,
    )
  return { ...result, events: line['settraceEvents'] as number }
}

/** Records into a fresh database at `database`, reads the run's figures and deletes it. */
export async function runSmiley(
  target: Target,
  database: string,
  accelerator: Accelerator,
): Promise<SmileyCapture> {
  if (!existsSync(SMILEY_BUILD))
    throw new BenchError(`Smiley is not built (no ${SMILEY_BUILD}): run npx tsc -b first`)
  const args = [
    SMILEY,
    'run',
    '--python',
    target.python,
    '--database',
    database,
    '--accelerator',
    accelerator,
    target.workload,
    String(target.scale),
  ]
  try {
    const result = await capture(process.execPath, args, target)
    // Measured before opening: a reader could leave a -wal or -shm file of its own.
    const bytes = sizeOf(database) + sizeOf(`${database}-wal`)
    return { ...result, ...readRun(database, target), bytes }
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal'])
      rmSync(`${database}${suffix}`, { force: true })
  }
}

/**
 * The tracer alone, set up as `smiley run` sets it up (same options), its stream drained by a
 * reader that keeps nothing but the first frame (to read `hello`): what recording costs the
 * program when the database never makes it wait.
 */
export async function runTracerOnly(
  target: Target,
  accelerator: Accelerator,
): Promise<TracerCapture> {
  const env = tracerEnv(benchTracerOptions('bench', { accelerator }))
  const drained = { bytes: 0, head: [] as Buffer[] }
  const { result, stderr } = await captureWithStderr(
    target.python,
    [target.workload, String(target.scale)],
    target,
    { env, drain: drained },
  )
  const warning = stderr.split('\n').find((line) => line.startsWith('smiley:'))
  if (warning) throw new BenchError(`${describe(target)}: the tracer stopped: ${warning}`)
  return {
    ...result,
    bytes: drained.bytes,
    native: helloOf(Buffer.concat(drained.head))['native'] === true,
  }
}

/** The `hello` record at the start of a stream (magic, version, then the first frame). */
function helloOf(head: Buffer): Record<string, unknown> {
  if (head.length < 9) return {}
  const length = head.readUInt32LE(5)
  if (head.length < 9 + length) return {}
  const batch = loads(head.subarray(9, 9 + length))
  const record = Array.isArray(batch) ? batch[0] : undefined
  const info = Array.isArray(record) ? record[1] : undefined
  return info instanceof PyDict ? info.toObject() : {}
}

interface RunRow {
  event_count: number
  lost_events: number
  status: string
  notice: string | null
  backend: string | null
}

function readRun(database: string, target: Target): Omit<SmileyCapture, keyof Capture | 'bytes'> {
  const db = new Database(database, { readonly: true, fileMustExist: true })
  try {
    const rows = db
      .prepare('SELECT event_count, lost_events, status, notice, backend FROM runs')
      .all() as RunRow[]
    const [run] = rows
    if (run === undefined || rows.length !== 1) {
      throw new BenchError(
        `${describe(target)}: expected one run in the database, found ${rows.length}`,
      )
    }
    // A recording that stopped early would make every figure after it meaningless.
    if (run.status !== 'completed' || run.notice !== null) {
      throw new BenchError(
        `${describe(target)}: Smiley's run ended ${run.status}${run.notice ? `: ${run.notice}` : ''}`,
      )
    }
    return { events: run.event_count, lostEvents: run.lost_events, backend: run.backend }
  } finally {
    db.close()
  }
}

async function capture(command: string, args: string[], target: Target): Promise<Capture> {
  return (await captureWithStderr(command, args, target)).result
}

/** A pipe on fd 3 to drain: counts its bytes and keeps the first 1 MiB. */
interface Drain {
  bytes: number
  head: Buffer[]
}

async function captureWithStderr(
  command: string,
  args: string[],
  target: Target,
  extra: { env?: NodeJS.ProcessEnv; drain?: Drain } = {},
): Promise<{ result: Capture; stderr: string }> {
  const started = process.hrtime.bigint()
  const exit = await execute(command, args, extra.env, extra.drain)
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`
    throw new BenchError(
      `${describe(target)}: ${[command, ...args].join(' ')} ${how}\n${tail(exit.stderr)}`,
    )
  }
  const report = lastJsonLine(
    exit.stdout,
    (value) => 'checksum' in value && typeof value['seconds'] === 'number',
  )
  if (report === null) {
    throw new BenchError(
      `${describe(target)}: no {"checksum", "seconds"} line on stdout\n${tail(exit.stdout)}`,
    )
  }
  return {
    result: {
      checksum: report['checksum'],
      seconds: report['seconds'] as number,
      cpu: typeof report['cpu'] === 'number' ? report['cpu'] : null,
      wallSeconds,
    },
    stderr: exit.stderr,
  }
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function execute(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  drain?: Drain,
): Promise<Exit> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe', drain ? 'pipe' : 'ignore'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    if (drain) {
      let kept = 0
      ;(child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
        drain.bytes += chunk.length
        if (kept < 1 << 20) {
          drain.head.push(chunk)
          kept += chunk.length
        }
      })
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
    child.once('error', (error) => {
      clearTimeout(timer)
      fail(new BenchError(`cannot run ${command}: ${error.message}`))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      done({ code, signal, stdout, stderr })
    })
  })
}

/** The last line of `text` that is a JSON object accepted by `wanted`. */
function lastJsonLine(
  text: string,
  wanted: (value: Record<string, unknown>) => boolean,
): Record<string, unknown> | null {
  for (const line of text.trim().split('\n').reverse()) {
    if (!line.startsWith('{')) continue
    try {
      const value: unknown = JSON.parse(line)
      if (typeof value === 'object' && value !== null && wanted(value as Record<string, unknown>)) {
        return value as Record<string, unknown>
      }
    } catch {
      // Not ours: the workload may print other lines that look like JSON.
    }
  }
  return null
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0
}

function describe(target: Target): string {
  return target.label
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}
