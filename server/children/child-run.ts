/** The run row of a child process, from its tracer's `hello` and what its parent is called. */

import type { PyValue } from '../../shared/wire/marshal.js'
import type { Db } from '../db/database.js'
import type { NewRun } from '../db/runs.js'
import { newRun } from '../record/run-info.js'
import type { Store } from '../store/store.js'

/** Ways of starting a process that run the parent's own program (a copy of it, or a worker). */
const SAME_PROGRAM = new Set(['fork', 'multiprocessing-fork', 'multiprocessing-spawn'])

/**
 * The run of a child whose tracer said `hello`; `parentDescription` is how its parent run is
 * listed, when it is known. A fork or a multiprocessing worker runs its parent's program and is
 * listed as its parent is; another interpreter by its own command line.
 */
export function childRun(
  hello: Record<string, PyValue>,
  options: Record<string, unknown>,
  parentDescription: string | null,
): NewRun {
  const startedBy = typeof hello['startedBy'] === 'string' ? hello['startedBy'] : 'subprocess'
  const parent = typeof hello['parent'] === 'string' ? hello['parent'] : null
  const argv = texts(hello['argv'])
  const command = texts(hello['command']).slice(1)
  const description =
    SAME_PROGRAM.has(startedBy) && parentDescription !== null
      ? parentDescription
      : (command.length > 0 ? command : argv).join(' ')
  const uuid = typeof hello['run'] === 'string' ? hello['run'] : ''
  return {
    ...newRun({ uuid, description, argv, options }, hello),
    process: {
      parent,
      startedBy,
      parentPid: typeof hello['ppid'] === 'number' ? hello['ppid'] : null,
    },
  }
}

/** The run of a child, its parent's description read from `store` (at once from SQLite). */
export function storedChildRun(
  store: Store,
  hello: Record<string, PyValue>,
  options: Record<string, unknown>,
): NewRun | Promise<NewRun> {
  const parent = hello['parent']
  if (typeof parent !== 'string') return childRun(hello, options, null)
  const description = store.runDescription(parent)
  return description instanceof Promise
    ? description.then((found) => childRun(hello, options, found))
    : childRun(hello, options, description)
}

/** How run `uuid` is listed in `db`, when it is there: a fork is listed as its parent is. */
export function runDescription(db: Db, uuid: unknown): string | null {
  if (typeof uuid !== 'string') return null
  const row = db.prepare('SELECT description FROM runs WHERE uuid = ?').get(uuid) as
    { description: string } | undefined
  return row?.description ?? null
}

function texts(value: PyValue | undefined): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : []
}
