/**
 * A moment of a run in the terminal (`smiley state`): the event, the source around its line
 * as it was when the run executed it, the current call's variables, and the stack.
 *
 *     event 17 of 529: line in Inventory.take, demo/shop.py:16, thread MainThread
 *
 *        15      def take(self, item, quantity):
 *     >  16          left = self.stock.get(item, 0)
 *        17          if quantity > left:
 *
 *     variables
 *       self = Inventory({'apple': 3, 'pear': 2})
 *       item = 'pear'  (changed)
 *
 *     stack, innermost first
 *       Inventory.take  demo/shop.py:16  event 17
 *       <module>        demo/main.py:25  event 12
 */

import type { Moment, VariableChange } from '../../shared/types/moment.js'
import { displayPath } from '../db/files.js'
import { formatChildStart } from './child-start-format.js'
import type { Output } from './output.js'

/** Reads line `line` (1-based) of the moment's file as it ran, or null. */
export type SourceLine = (line: number) => string | null

export function formatMoment(
  out: Output,
  moment: Moment,
  total: number,
  cwd: string,
  sourceLine: SourceLine,
  context: number,
): string[] {
  const { event } = moment
  const lines = [
    out.style(
      'bold',
      `event ${event.seq} of ${total}: ${event.kind} in ${event.function}, ` +
        `${displayPath(event.file, cwd)}:${event.line}, thread ${event.threadName}`,
    ),
  ]
  if (event.kind === 'return')
    lines.push(
      `${event.yielded ? 'yielded' : 'returned'} ${event.valueType === null ? '(left by an exception)' : (event.value ?? '')}`,
    )
  if (event.kind === 'exception')
    lines.push(`raised ${event.valueType ?? 'Exception'}: ${event.value ?? ''}`)
  for (const start of moment.children ?? []) lines.push(formatChildStart(start, out))
  const source: string[] = []
  const width = String(event.line + context).length
  for (let number = Math.max(1, event.line - context); number <= event.line + context; number++) {
    const text = sourceLine(number)
    if (text === null) continue
    const mark = number === event.line ? '>' : ' '
    const line = `${mark} ${String(number).padStart(width)}  ${text}`.trimEnd()
    source.push(number === event.line ? out.style('yellow', line) : line)
  }
  if (source.length > 0) lines.push('', ...source)
  lines.push('', out.style('bold', 'variables'))
  if (moment.variables.length === 0) lines.push('  (none)')
  for (const variable of moment.variables) {
    const value = variable.value === null ? out.style('dim', '(deleted)') : variable.value
    const changed =
      variable.changed && variable.value !== null ? out.style('dim', '  (changed)') : ''
    lines.push(`  ${out.style('cyan', variable.name)} = ${value}${changed}`)
  }
  lines.push('', out.style('bold', 'stack, innermost first'))
  const nameWidth = Math.max(...moment.stack.map((entry) => entry.function.length))
  const where = moment.stack.map((entry) => `${displayPath(entry.file, cwd)}:${entry.line}`)
  const whereWidth = Math.max(...where.map((text) => text.length))
  moment.stack.forEach((entry, index) => {
    lines.push(
      `  ${entry.function.padEnd(nameWidth)}  ${where[index]!.padEnd(whereWidth)}  event ${entry.seq}`,
    )
  })
  return lines
}

/** A variable's changes in one call, the one in force at event `at` marked with `>`. */
export function formatHistory(out: Output, changes: VariableChange[], at: number): string[] {
  const current = changes.filter((change) => change.seq <= at).at(-1)
  const width = Math.max(...changes.map((change) => String(change.seq).length))
  return changes.map((change) => {
    const mark = change === current ? '>' : ' '
    const value = change.value === null ? out.style('dim', '(deleted)') : change.value
    const line = `${mark} event ${String(change.seq).padStart(width)}  line ${String(change.line).padStart(4)}  ${value}`
    return change === current ? out.style('yellow', line) : line
  })
}
