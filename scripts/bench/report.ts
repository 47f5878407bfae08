/**
 * The figures derived from the measurements, as an aligned table for people and as JSON for
 * comparing runs over time. Both show the same numbers, computed once here.
 */

import type { Measured } from './suite.js'

/** One workload on one interpreter. Slowdowns are traced seconds / untraced seconds. */
export interface Row {
  workload: string
  python: string
  pythonPath: string
  /** The hook Smiley used: `settrace` (3.8 to 3.11) or `monitoring` (3.12 and later). */
  backend: string | null
  checksum: unknown
  untracedSeconds: number
  settraceSeconds: number
  settraceSlowdown: number
  settraceEvents: number
  smileySeconds: number
  smileySlowdown: number
  /** Smiley's whole process, Node's start-up and the final writes to the database included. */
  smileyWallSeconds: number
  smileyEvents: number
  lostEvents: number
  /**
   * Recorded events per second of the traced program's own time. The few events outside the
   * timed work (module level, start-up) are counted too: too few to matter.
   */
  eventsPerSecond: number
  /** Database and write-ahead log after the run. */
  databaseBytes: number
  bytesPerEvent: number
}

/** One interpreter over all its workloads. */
export interface Summary {
  python: string
  pythonPath: string
  workloads: number
  geomeanSettraceSlowdown: number
  geomeanSmileySlowdown: number
}

export function toRows(measured: Measured[]): Row[] {
  return measured.map(({ workload, python, checksum, untraced, settrace, smiley }) => ({
    workload,
    python: python.version,
    pythonPath: python.path,
    backend: smiley.backend,
    checksum,
    untracedSeconds: untraced.seconds,
    settraceSeconds: settrace.seconds,
    settraceSlowdown: settrace.seconds / untraced.seconds,
    settraceEvents: settrace.events,
    smileySeconds: smiley.seconds,
    smileySlowdown: smiley.seconds / untraced.seconds,
    smileyWallSeconds: smiley.wallSeconds,
    smileyEvents: smiley.events,
    lostEvents: smiley.lostEvents,
    eventsPerSecond: smiley.events / smiley.seconds,
    databaseBytes: smiley.bytes,
    bytesPerEvent: smiley.events > 0 ? smiley.bytes / smiley.events : 0,
  }))
}

export function summarise(rows: Row[]): Summary[] {
  return groupByPython(rows).map((group) => ({
    python: group[0]?.python ?? '',
    pythonPath: group[0]?.pythonPath ?? '',
    workloads: group.length,
    geomeanSettraceSlowdown: geometricMean(group.map((row) => row.settraceSlowdown)),
    geomeanSmileySlowdown: geometricMean(group.map((row) => row.smileySlowdown)),
  }))
}

/** The mean of ratios: unlike the arithmetic mean, one extreme workload cannot dominate it. */
export function geometricMean(values: number[]): number {
  if (values.length === 0) return NaN
  return Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length)
}

type Align = 'left' | 'right'

const COLUMNS: Array<{ title: string; align: Align; cell: (row: Row) => string }> = [
  { title: 'python', align: 'left', cell: (row) => row.python },
  { title: 'workload', align: 'left', cell: (row) => row.workload },
  { title: 'untraced s', align: 'right', cell: (row) => row.untracedSeconds.toFixed(4) },
  { title: 'settrace ×', align: 'right', cell: (row) => row.settraceSlowdown.toFixed(1) },
  { title: 'smiley ×', align: 'right', cell: (row) => row.smileySlowdown.toFixed(1) },
  { title: 'smiley s', align: 'right', cell: (row) => row.smileySeconds.toFixed(2) },
  { title: 'events', align: 'right', cell: (row) => grouped(row.smileyEvents) },
  { title: 'events/s', align: 'right', cell: (row) => grouped(row.eventsPerSecond) },
  { title: 'bytes/event', align: 'right', cell: (row) => row.bytesPerEvent.toFixed(1) },
]

/** The table: one block per interpreter, each ending with its geometric means. */
export function formatTable(rows: Row[], summaries: Summary[]): string {
  const blocks = groupByPython(rows).map((group) => {
    const summary = summaries.find((candidate) => candidate.python === group[0]?.python)
    const lines = group.map((row) => COLUMNS.map((column) => column.cell(row)))
    if (summary) {
      const backend = group[0]?.backend ?? '?'
      lines.push([
        summary.python,
        `geomean (${backend})`,
        '',
        summary.geomeanSettraceSlowdown.toFixed(1),
        summary.geomeanSmileySlowdown.toFixed(1),
        '',
        '',
        '',
        '',
      ])
    }
    return lines
  })
  const header = COLUMNS.map((column) => column.title)
  const widths = header.map((title, i) =>
    Math.max(title.length, ...blocks.flat().map((cells) => cells[i]?.length ?? 0)),
  )
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0
        return COLUMNS[i]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width)
      })
      .join('  ')
      .trimEnd()
  const rule = widths.map((width) => '─'.repeat(width)).join('  ')
  const body = blocks.flatMap((block, i) => [...(i > 0 ? [rule] : []), ...block.map(line)])
  return [line(header), rule, ...body].join('\n')
}

/** What bench-results/capture.json holds. */
export interface CaptureDocument {
  createdAt: string
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; node: string }
  options: { scale: number; repeat: number; pythons: string[]; workloads: string[] }
  summaries: Summary[]
  results: Row[]
}

function groupByPython(rows: Row[]): Row[][] {
  const groups = new Map<string, Row[]>()
  for (const row of rows) {
    const group = groups.get(row.python)
    if (group) group.push(row)
    else groups.set(row.python, [row])
  }
  return [...groups.values()]
}

function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}
