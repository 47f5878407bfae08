/**
 * The processes a run started, in the terminal: one line each where the trace is printed
 * (`replay`, `state`), and a list in `smiley show`.
 *
 *     ↳ started child process pid 4242 (subprocess) → run 3f2a9c1e  child.py 4  completed
 */

import type { ChildStart } from '../../shared/types/child-start.js'
import { STATUS_STYLE } from './status-style.js'
import type { Output } from './output.js'

/** One start, as a line of the trace. */
export function formatChildStart(start: ChildStart, out: Output): string {
  const { run } = start
  if (run === null) {
    const what = start.pid === 0 ? 'forked a process' : `started process pid ${start.pid}`
    return out.style('dim', `↳ ${what}, not recorded`)
  }
  return (
    `${out.style('blue', `↳ started child process pid ${run.pid ?? '?'} (${run.startedBy})`)}` +
    ` → run ${run.id.slice(0, 8)}  ${run.description}  ${out.style(STATUS_STYLE[run.status], run.status)}`
  )
}

/** `smiley show`'s list: where each process was started, then the line above. */
export function formatChildStarts(starts: ChildStart[], out: Output): string[] {
  if (starts.length === 0) return []
  const places = starts.map((start) => `after event ${start.seq}`)
  const width = Math.max(...places.map((place) => place.length))
  const lines = ['', out.style('dim', `Processes started (${starts.length})`)]
  starts.forEach((start, index) =>
    lines.push(`  ${places[index]!.padEnd(width)}  ${formatChildStart(start, out)}`),
  )
  return lines
}

/** The starts by the event they followed. */
export function startsByEvent(starts: ChildStart[]): Map<number, ChildStart[]> {
  const bySeq = new Map<number, ChildStart[]>()
  for (const start of starts) bySeq.set(start.seq, [...(bySeq.get(start.seq) ?? []), start])
  return bySeq
}
