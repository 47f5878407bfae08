/** The benchmark's workloads: every Python file in workloads/ not starting with `_`. */

import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'

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
