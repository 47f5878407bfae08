/** `smiley diff` in the terminal: where two runs went different ways, in a few lines. */

import type {
  ControlDivergence,
  DiffPlace,
  DiffReport,
  ValueDivergence,
} from '../../shared/types/diff.js'
import type { StackEntry } from '../../shared/types/moment.js'
import type { Output } from './output.js'

const MAX_STACK = 8

/** The lines of a comparison's report. */
export function formatDiff(report: DiffReport, out: Output): string[] {
  const { a, b, summary } = report
  const lines = [
    `${out.style('bold', 'A')} ${a.id.slice(0, 8)}  ${a.description}${version(a.pythonVersion)}`,
    `${out.style('bold', 'B')} ${b.id.slice(0, 8)}  ${b.description}${version(b.pythonVersion)}`,
    '',
  ]
  if (report.identical) {
    lines.push(
      out.style(
        'green',
        `The runs took the same path with the same values (${count(summary.aligned, 'event')}).`,
      ),
    )
  }
  if (report.value !== null) lines.push(...valueLines(report.value, out), '')
  report.divergences.forEach((divergence, index) => {
    lines.push(...controlLines(divergence, index === 0, out), '')
  })
  if (report.controlFlow === null && report.value !== null)
    lines.push('The paths never part: only values differ.', '')
  lines.push(
    summary.divergences === 0
      ? `${count(summary.aligned, 'event')} aligned (A ${summary.events.a}, B ${summary.events.b}).`
      : `${count(summary.commonPrefix, 'event')} in common before the paths part; ` +
          `${count(summary.aligned, 'event')} aligned in all (A ${summary.events.a}, B ${summary.events.b}).`,
  )
  if (summary.divergences > 0)
    lines.push(
      `The paths part ${times(summary.divergences)}${listed(report.divergences.length, summary.divergences)}.`,
    )
  if (summary.valueDifferences > 0)
    lines.push(
      `${count(summary.valueDifferences, 'value')} ${summary.valueDifferences === 1 ? 'differs' : 'differ'} on aligned events.`,
    )
  if (summary.ignored > 0)
    lines.push(
      out.style(
        'dim',
        `${count(summary.ignored, 'difference')} ignored (addresses, ids, timestamps, durations, --ignore, --ignore-name).`,
      ),
    )
  if (summary.calls.length > 0) {
    lines.push('', 'Calls made a different number of times:')
    const width = Math.max(...summary.calls.map((c) => c.function.length + c.file.length + 3))
    for (const call of summary.calls.slice(0, 20))
      lines.push(`  ${`${call.function} (${call.file})`.padEnd(width)}  A ${call.a}  B ${call.b}`)
    if (summary.calls.length > 20)
      lines.push(`  … and ${summary.calls.length - 20} more (--json lists all)`)
  }
  return lines
}

function valueLines(value: ValueDivergence, out: Output): string[] {
  return [
    out.style('bold', `First value divergence (${value.thread}):`),
    `  ${value.file}:${value.line} in ${value.function}, ${value.name}  (events A ${value.a}, B ${value.b})`,
    `    A ${out.style('red', show(value.a_value))}`,
    `    B ${out.style('green', show(value.b_value))}`,
  ]
}

function controlLines(d: ControlDivergence, first: boolean, out: Output): string[] {
  const thread =
    d.thread.a === d.thread.b ? (d.thread.a ?? '?') : `${d.thread.a ?? '—'} / ${d.thread.b ?? '—'}`
  const lines = [
    out.style('bold', `${first ? 'First control-flow divergence' : 'Divergence'} (${thread}):`),
  ]
  if (d.common !== null)
    lines.push(`  both ran  ${where(d.common, `events A ${d.lastCommon.a}, B ${d.lastCommon.b}`)}`)
  else lines.push("  from the thread's start")
  lines.push(
    d.thread.a === null ? '  A has no such thread' : `  A went to ${where(d.a)}`,
    d.thread.b === null ? '  B has no such thread' : `  B went to ${where(d.b)}`,
  )
  if (d.stacks) {
    lines.push(`  A's stack: ${stack(d.stacks.a)}`, `  B's stack: ${stack(d.stacks.b)}`)
  }
  lines.push(
    d.rejoin
      ? `  back on the same path at A ${d.rejoin.a}, B ${d.rejoin.b} (A ${count(d.only.a, 'event')} of its own, B ${d.only.b})`
      : `  never back on the same path (A ${count(d.only.a, 'event')} of its own, B ${d.only.b})`,
  )
  if (d.value) {
    const v = d.value
    lines.push(
      `  then a value differs: ${v.file}:${v.line} in ${v.function}, ${v.name}  (events A ${v.a}, B ${v.b})`,
      `    A ${out.style('red', show(v.a_value))}`,
      `    B ${out.style('green', show(v.b_value))}`,
    )
  }
  return lines
}

function where(place: DiffPlace | null, events?: string): string {
  if (place === null) return 'its end'
  const source = place.source === null ? '' : `   ${place.source.trim()}`
  const kind = place.kind === 'line' ? '' : ` (${place.kind})`
  const at = events ?? `event ${place.seq}`
  return `${place.file}:${place.line} in ${place.function}${kind}, ${at}${source}`
}

function stack(entries: StackEntry[]): string {
  const shown = entries.slice(0, MAX_STACK).map((e) => `${e.function} (${e.file}:${e.line})`)
  if (entries.length > MAX_STACK) shown.push(`… ${entries.length - MAX_STACK} more`)
  return shown.join(' ← ')
}

function show(text: string | null): string {
  return text === null ? '(none)' : text
}

function version(pythonVersion: string | null): string {
  return pythonVersion === null ? '' : `  (Python ${pythonVersion})`
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** What the report leaves out of the stretches where the paths part. */
function listed(shown: number, all: number): string {
  if (shown === all) return ''
  return shown <= 1 ? ' (--all lists them)' : ` (the first ${shown} are listed)`
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`
}
