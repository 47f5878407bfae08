/** A run's asyncio tasks read through any store, each with the function of its coroutine. */

import type { TaskSummary } from '../../shared/types/task.js'
import { loadedNames, RunNames } from '../db/events.js'
import { toTaskSummary } from '../db/tasks.js'
import type { Store } from './store.js'

/** The tasks of run `key`, in the order they first did something. */
export async function runTasks(store: Store, key: number): Promise<TaskSummary[]> {
  const rows = await store.tasks(key)
  if (rows.length === 0) return []
  const names = new RunNames(loadedNames(await store.names(key), new Map()), key)
  const summaries: TaskSummary[] = []
  for (const row of rows) {
    const fn = row.first_frame === null ? null : await store.frameFunction(key, row.first_frame)
    summaries.push(
      toTaskSummary(row, fn === null ? null : (names.function(fn)?.qualifiedName ?? null)),
    )
  }
  return summaries
}
