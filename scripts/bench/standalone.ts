/** What a benchmark script run on its own takes: `--python VERSION` and `--scale N`. */

import { parseArgs } from 'node:util'
import { findPythons } from '../lib/pythons.js'

/** The interpreter's path and the scale asked for (defaults: Python 3.11, scale 1). */
export function standaloneOptions(): { python: string; scale: number } {
  const { values } = parseArgs({
    options: {
      python: { type: 'string', default: '3.11' },
      scale: { type: 'string', default: '1' },
    },
  })
  const interpreter = findPythons().found.find((found) => found.version === values.python)
  if (interpreter === undefined) throw new Error(`no Python ${values.python} found`)
  return { python: interpreter.path, scale: Number(values.scale) }
}

/** What a benchmark of one huge run takes on its own: `--events N` (default 10,000,000),
 * `--database PATH` (a run of that length in it is used, else one is written there) and
 * `--keep` (the temporary database is kept). */
export function hugeRunOptions(): { events: number; database: string | undefined; keep: boolean } {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '10000000' },
      database: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  })
  return { events: Number(values.events), database: values.database, keep: values.keep }
}
