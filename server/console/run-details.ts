/** A run's metadata as `smiley show` prints it: one labelled line per fact, then the traceback. */

import type { Run } from '../../shared/types/run.js'
import type { ThreadSummary } from '../../shared/types/thread.js'
import { formatCount, formatDuration, formatTime, runDuration } from './format.js'
import type { Output } from './output.js'
import { STATUS_STYLE } from './status-style.js'

/** The lines describing `run` and its `threads`. */
export function formatRunDetails(run: Run, threads: ThreadSummary[], out: Output): string[] {
  const facts: Array<[string, string]> = [
    ['Run', run.id],
    ['Description', run.description],
    ['Directory', run.cwd],
    ['Arguments', run.argv.map(shellQuote).join(' ')],
    ['Interpreter', interpreter(run)],
    ['Host', run.host ?? '-'],
    ['PID', run.pid === null ? '-' : String(run.pid)],
    ...(run.process
      ? ([
          ['Started by', run.process.startedBy],
          [
            'Parent run',
            run.process.parent === null
              ? '-'
              : run.process.parentSeq !== null && run.process.parentSeq !== undefined
                ? `${run.process.parent} (started after its event ${run.process.parentSeq})`
                : run.process.parent,
          ],
        ] as Array<[string, string]>)
      : []),
    ['Backend', run.backend ?? '-'],
    ['Started', formatTime(run.startedAt)],
    ['Ended', run.endedAt === null ? '-' : formatTime(run.endedAt)],
    ['Duration', formatDuration(runDuration(run)) + (run.status === 'running' ? ' so far' : '')],
    ['Status', out.style(STATUS_STYLE[run.status], run.status)],
    ['Exit code', run.exitCode === null ? '-' : String(run.exitCode)],
  ]
  if (run.signal !== null) facts.push(['Signal', run.signal])
  const error = errorText(run)
  if (error !== '') facts.push(['Error', out.style('red', error)])
  facts.push(['Events', formatCount(run.eventCount)])
  if (run.lostEvents > 0) facts.push(['Lost events', formatCount(run.lostEvents)])
  if (run.notice !== null) facts.push(['Notice', out.style('yellow', run.notice)])
  facts.push(['Options', options(run.options)])
  const width = Math.max(...facts.map(([label]) => label.length), 'Threads'.length) + 2
  const label = (text: string) => out.style('dim', text.padEnd(width))
  const lines = facts.map(([name, value]) => `${label(name)}${value}`.trimEnd())
  lines.push(...threadLines(threads, width, label))
  if (run.traceback) lines.push('', ...run.traceback.trimEnd().split('\n'))
  return lines
}

function threadLines(
  threads: ThreadSummary[],
  width: number,
  label: (text: string) => string,
): string[] {
  if (threads.length === 0) return [`${label('Threads')}-`]
  const nameWidth = Math.max(...threads.map((t) => t.name.length))
  const counts = threads.map((t) => formatCount(t.events))
  const countWidth = Math.max(...counts.map((c) => c.length))
  return threads.map((thread, index) => {
    const head = index === 0 ? label('Threads') : ' '.repeat(width)
    const events = `${counts[index]!.padStart(countWidth)} event${thread.events === 1 ? '' : 's'}`
    return `${head}${thread.name.padEnd(nameWidth)}  ${events}`
  })
}

function interpreter(run: Run): string {
  if (run.python === null && run.pythonVersion === null) return '-'
  if (run.pythonVersion === null) return run.python!
  return `${run.python ?? 'python'} (Python ${run.pythonVersion})`
}

/** `Type: message`, or whichever of the two the run has. */
export function errorText(run: Run): string {
  if (run.errorType)
    return run.errorMessage ? `${run.errorType}: ${run.errorMessage}` : run.errorType
  return run.errorMessage ?? ''
}

function options(values: Record<string, unknown>): string {
  const entries = Object.entries(values)
  if (entries.length === 0) return '-'
  return entries.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ')
}

/** An argument as a POSIX shell would need it written. */
function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}
