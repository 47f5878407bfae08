/** A run's asyncio tasks as `smiley show` prints them: none for a program without. */

import type { TaskSummary } from '../../shared/types/task.js'
import { formatCount } from './format.js'
import type { Output } from './output.js'

export function formatTasks(tasks: TaskSummary[], out: Output): string[] {
  if (tasks.length === 0) return []
  const nameWidth = Math.max(...tasks.map((t) => t.name.length))
  const names = new Map(tasks.map((t) => [t.id, t.name]))
  const lines = ['', out.style('dim', `Asyncio tasks (${formatCount(tasks.length)})`)]
  for (const task of tasks) {
    const parts = [
      task.name.padEnd(nameWidth),
      `${formatCount(task.events)} events`,
      task.rootFunction ?? '?',
      task.threadName,
    ]
    if (task.awaiter !== null) parts.push(`awaited by ${names.get(task.awaiter) ?? task.awaiter}`)
    lines.push(`  ${parts.join('  ')}`)
  }
  return lines
}
