/** The benchmark's workloads: every Python file in workloads/ not starting with `_`. */

import { randomUUID } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { NewRun } from '../../server/db/runs.js'
import type { TracerOptions } from '../../shared/wire/options.js'

export const WORKLOAD_DIR = join(import.meta.dirname, 'workloads')

export interface Workload {
  /** The file name without `.py`, as `--only` selects it. */
  name: string
  path: string
}

/** Every workload, sorted by name. */
export function listWorkloads(): Workload[] {
  return readdirSync(WORKLOAD_DIR)
    .filter((file) => file.endsWith('.py') && !file.startsWith('_'))
    .sort()
    .map((file) => ({ name: basename(file, '.py'), path: join(WORKLOAD_DIR, file) }))
}

/**
 * How the benchmarks record a workload: as `smiley run` does by default, the stream on
 * descriptor 3; `overrides` change what a benchmark needs changed.
 */
export function benchTracerOptions(
  run: string,
  overrides: Partial<TracerOptions> = {},
): TracerOptions {
  return {
    fd: 3,
    run,
    pythonPath: process.env['PYTHONPATH'] ?? null,
    maxRepr: 200,
    redact: true,
    profile: true,
    includeStdlib: false,
    includeSitePackages: false,
    includePackages: [],
    ...overrides,
  }
}

/** The runs row of a benchmark that writes a run without a program behind it. */
export function benchRun(description: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    uuid: randomUUID(),
    description,
    argv: [],
    cwd: join(import.meta.dirname, '..', '..'),
    python: null,
    pythonVersion: null,
    host: null,
    pid: null,
    backend: null,
    startedAt: Date.now() / 1000,
    options: {},
    ...overrides,
  }
}
