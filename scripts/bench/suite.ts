/**
 * Measuring every chosen workload on every chosen interpreter in each chosen way, one run at
 * a time (two cores: anything running alongside would be measured too). Each way keeps its
 * fastest of `repeat` runs; every run's checksum must match, or tracing changed the result.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Interpreter } from '../lib/pythons.js'
import {
  BenchError,
  runSettrace,
  runSmiley,
  runTracerOnly,
  runUntraced,
  type Accelerator,
  type Capture,
  type SettraceCapture,
  type SmileyCapture,
  type Target,
  type TracerCapture,
} from './capture.js'
import type { Workload } from './workloads.js'

/** One workload on one interpreter, measured in every chosen way. */
export interface Measured {
  workload: string
  python: Interpreter
  checksum: unknown
  untraced: Capture
  settrace: SettraceCapture
  /** Through `smiley run`, database included, per accelerator. */
  smiley: Partial<Record<Accelerator, SmileyCapture>>
  /** The tracer alone, its stream drained and dropped, per accelerator. */
  tracerOnly: Partial<Record<Accelerator, TracerCapture>>
}

/** Fewest runs of the untraced and settrace baselines. */
const BASELINE_REPEAT = 5

export interface SuiteOptions {
  interpreters: Interpreter[]
  workloads: Workload[]
  /** Multiplies each workload's size. */
  scale: number
  /** Runs per way; the fastest counts. */
  repeat: number
  accelerators: Accelerator[]
  /** Measure through `smiley run` (database included). */
  endToEnd: boolean
  /** Measure the tracer alone. */
  tracerOnly: boolean
  /** Called as each workload finishes, to show progress during a long run. */
  onMeasured?: (measured: Measured) => void
}

export async function runSuite(options: SuiteOptions): Promise<Measured[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'smiley-bench-'))
  let databases = 0
  const measured: Measured[] = []
  try {
    for (const python of options.interpreters) {
      for (const workload of options.workloads) {
        const target: Target = {
          python: python.path,
          workload: workload.path,
          scale: options.scale,
          label: `${workload.name} on Python ${python.version}`,
        }
        const runs: Record<string, Capture[]> = {}
        // The baselines take milliseconds, so a busy moment distorts them most: run them more.
        const baselineRepeat = Math.max(options.repeat, BASELINE_REPEAT)
        const untraced = await fastest(baselineRepeat, () => runUntraced(target))
        const settrace = await fastest(baselineRepeat, () => runSettrace(target))
        runs['untraced'] = untraced
        runs['settrace'] = settrace
        const smiley: Measured['smiley'] = {}
        const tracerOnly: Measured['tracerOnly'] = {}
        for (const accelerator of options.accelerators) {
          if (options.endToEnd) {
            const captures = await fastest(options.repeat, () =>
              runSmiley(target, join(scratch, `run-${++databases}.db`), accelerator),
            )
            smiley[accelerator] = captures[0]
            runs[`smiley ${accelerator}`] = captures
          }
          if (options.tracerOnly) {
            const captures = await fastest(options.repeat, () => runTracerOnly(target, accelerator))
            tracerOnly[accelerator] = captures[0]
            runs[`tracer ${accelerator}`] = captures
          }
        }
        const result = {
          workload: workload.name,
          python,
          checksum: agreedChecksum(target, runs),
          untraced: untraced[0],
          settrace: settrace[0],
          smiley,
          tracerOnly,
        }
        measured.push(result)
        options.onMeasured?.(result)
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  return measured
}

/** Every run, fastest first. */
async function fastest<T extends Capture>(
  repeat: number,
  run: () => Promise<T>,
): Promise<[T, ...T[]]> {
  const first = await run()
  const runs: [T, ...T[]] = [first]
  for (let i = 1; i < repeat; i++) runs.push(await run())
  return runs.sort((a, b) => a.seconds - b.seconds)
}

function agreedChecksum(target: Target, runs: Record<string, Capture[]>): unknown {
  const seen = Object.entries(runs).flatMap(([way, captures]) =>
    captures.map((capture) => ({ way, checksum: JSON.stringify(capture.checksum) })),
  )
  const expected = runs['untraced']?.[0]?.checksum
  if (seen.some(({ checksum }) => checksum !== JSON.stringify(expected))) {
    const found = seen.map(({ way, checksum }) => `${way} ${checksum}`).join(', ')
    throw new BenchError(`checksum mismatch for ${target.label}: ${found}`)
  }
  return expected
}
