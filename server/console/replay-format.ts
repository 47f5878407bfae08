/**
 * Smiley's monitor format, used by `replay`, `tail` and `monitor`:
 *
 *     demo/shapes.py:  14:MainThread: total = 0
 *                                     total = 0
 *     demo/shapes.py:  16:MainThread: return>>> 3
 *
 * The location, the thread, then the source line as it was; the variables that changed
 * below it, aligned with the source; `return>>>`, `yield>>>` and `exception>>>` lines.
 */

import { relative, sep } from 'node:path'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Output } from './output.js'

export class ReplayFormatter {
  constructor(
    private readonly out: Output,
    /** Paths under this folder are shown relative to it. */
    private readonly cwd: string,
    /** Each event starts with its number (search results, to go on from with `state`). */
    private readonly numbered = false,
  ) {}

  /** The lines for one event. */
  format(event: TraceEvent): string[] {
    const { out } = this
    const number = this.numbered ? `${String(event.seq).padStart(8)} ` : ''
    const location = `${number}${this.path(event.file)}:${String(event.line).padStart(4)}:${event.threadName}:`
    const lines: string[] = []
    const head = `${out.style('dim', location)} `
    switch (event.kind) {
      case 'call':
      case 'line':
        lines.push(head + (event.source ?? '').trimEnd())
        break
      case 'return': {
        const label = event.yielded ? 'yield>>>' : 'return>>>'
        const shown =
          event.valueType === null
            ? out.style('dim', '(left by an exception)')
            : (event.value ?? '')
        lines.push(`${head}${out.style('green', label)} ${shown}`)
        break
      }
      case 'exception':
        lines.push(
          `${head}${out.style('red', 'exception>>>')} ${event.valueType ?? 'Exception'}: ${event.value ?? ''}`,
        )
        break
    }
    const indent = ' '.repeat(location.length + 1)
    for (const [name, value] of Object.entries(event.locals)) {
      const shown = value === null ? out.style('dim', '(deleted)') : value
      lines.push(`${indent}${out.style('cyan', name)} = ${shown}`)
    }
    return lines
  }

  private path(file: string): string {
    if (this.cwd && file.startsWith(this.cwd + sep)) return relative(this.cwd, file)
    return file
  }
}
