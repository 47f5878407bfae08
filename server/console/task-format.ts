/** A run's asyncio tasks as `smiley show` prints them: none for a program without. */

import type { TaskSummary } from '../../shared/types/task.js'
import { formatCount } from './format.js'
import type { Output } from './output.js'

export function formatTasks(tasks: TaskSummary[], out: Output): string[] {
  if (tasks.length === 0) return []
  const names = new Map(tasks.map((t) => [t.id, t.name]))
  const counts = tasks.map((t) => `${formatCount(t.events)} events`)
  const width = (texts: string[]) => Math.max(...texts.map((text) => text.length))
  const nameWidth = width(tasks.map((t) => t.name))
  const countWidth = width(counts)
  const rootWidth = width(tasks.map((t) => t.rootFunction ?? '?'))
  const lines = ['', out.style('dim', `Asyncio tasks (${formatCount(tasks.length)})`)]
  for (const [index, task] of tasks.entries()) {
    const parts = [
      task.name.padEnd(nameWidth),
      counts[index]!.padStart(countWidth),
      (task.rootFunction ?? '?').padEnd(rootWidth),
      task.threadName,
    ]
    if (task.awaiter !== null) parts.push(`awaited by ${names.get(task.awaiter) ?? task.awaiter}`)
    lines.push(`  ${parts.join('  ')}`)
  }
  return lines
}
