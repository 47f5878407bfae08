/**
 * The figures derived from the measurements, as an aligned table for people and as JSON for
 * comparing runs over time. Both show the same numbers, computed once here.
 */

import type { Accelerator } from './capture.js'
import type { Measured } from './suite.js'

/** Smiley through `smiley run`, one accelerator. Slowdowns are traced / untraced seconds. */
export interface SmileyFigures {
  seconds: number
  slowdown: number
  /** Smiley's whole process, Node's start-up and the final writes to the database included. */
  wallSeconds: number
  events: number
  lostEvents: number
  /**
   * Recorded events per second of the traced program's own time. The few events outside the
   * timed work (module level, start-up) are counted too: too few to matter.
   */
  eventsPerSecond: number
  /** Database and write-ahead log after the run. */
  databaseBytes: number
  bytesPerEvent: number
  /** The hook Smiley used: `settrace` (3.8 to 3.11) or `monitoring` (3.12 and later). */
  backend: string | null
}

/** The tracer alone (stream drained and dropped), one accelerator. */
export interface TracerFigures {
  seconds: number
  slowdown: number
  streamBytes: number
  /** Whether the native accelerator actually ran. */
  native: boolean
}

/** One workload on one interpreter. */
export interface Row {
  workload: string
  python: string
  pythonPath: string
  checksum: unknown
  untracedSeconds: number
  settraceSeconds: number
  settraceSlowdown: number
  settraceEvents: number
  smiley: Partial<Record<Accelerator, SmileyFigures>>
  tracerOnly: Partial<Record<Accelerator, TracerFigures>>
}

/** One interpreter over all its workloads: geometric means of the slowdowns. */
export interface Summary {
  python: string
  pythonPath: string
  workloads: number
  geomeanSettraceSlowdown: number
  geomeanSmileySlowdown: Partial<Record<Accelerator, number>>
  geomeanTracerOnlySlowdown: Partial<Record<Accelerator, number>>
}

export function toRows(measured: Measured[]): Row[] {
  return measured.map(({ workload, python, checksum, untraced, settrace, smiley, tracerOnly }) => {
    const row: Row = {
      workload,
      python: python.version,
      pythonPath: python.path,
      checksum,
      untracedSeconds: untraced.seconds,
      settraceSeconds: settrace.seconds,
      settraceSlowdown: settrace.seconds / untraced.seconds,
      settraceEvents: settrace.events,
      smiley: {},
      tracerOnly: {},
    }
    for (const [accelerator, capture] of entries(smiley)) {
      row.smiley[accelerator] = {
        seconds: capture.seconds,
        slowdown: capture.seconds / untraced.seconds,
        wallSeconds: capture.wallSeconds,
        events: capture.events,
        lostEvents: capture.lostEvents,
        eventsPerSecond: capture.events / capture.seconds,
        databaseBytes: capture.bytes,
        bytesPerEvent: capture.events > 0 ? capture.bytes / capture.events : 0,
        backend: capture.backend,
      }
    }
    for (const [accelerator, capture] of entries(tracerOnly)) {
      row.tracerOnly[accelerator] = {
        seconds: capture.seconds,
        slowdown: capture.seconds / untraced.seconds,
        streamBytes: capture.bytes,
        native: capture.native,
      }
    }
    return row
  })
}

export function summarise(rows: Row[]): Summary[] {
  return groupByPython(rows).map((group) => {
    const summary: Summary = {
      python: group[0]?.python ?? '',
      pythonPath: group[0]?.pythonPath ?? '',
      workloads: group.length,
      geomeanSettraceSlowdown: geometricMean(group.map((row) => row.settraceSlowdown)),
      geomeanSmileySlowdown: {},
      geomeanTracerOnlySlowdown: {},
    }
    for (const accelerator of ACCELERATORS) {
      const e2e = group.map((row) => row.smiley[accelerator]?.slowdown)
      if (e2e.every((value) => value !== undefined))
        summary.geomeanSmileySlowdown[accelerator] = geometricMean(e2e as number[])
      const alone = group.map((row) => row.tracerOnly[accelerator]?.slowdown)
      if (alone.every((value) => value !== undefined))
        summary.geomeanTracerOnlySlowdown[accelerator] = geometricMean(alone as number[])
    }
    return summary
  })
}

/** The mean of ratios: unlike the arithmetic mean, one extreme workload cannot dominate it. */
export function geometricMean(values: number[]): number {
  if (values.length === 0) return NaN
  return Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length)
}

const ACCELERATORS: Accelerator[] = ['python', 'native']

type Align = 'left' | 'right'

interface Column {
  title: string
  align: Align
  cell: (row: Row) => string
  /** The cell of the geometric-mean line. */
  mean?: (summary: Summary) => string
}

function columns(rows: Row[]): Column[] {
  const times = (value: number | undefined): string => (value === undefined ? '' : value.toFixed(1))
  const list: Column[] = [
    { title: 'python', align: 'left', cell: (row) => row.python },
    { title: 'workload', align: 'left', cell: (row) => row.workload },
    { title: 'untraced s', align: 'right', cell: (row) => row.untracedSeconds.toFixed(4) },
    {
      title: 'settrace ×',
      align: 'right',
      cell: (row) => row.settraceSlowdown.toFixed(1),
      mean: (summary) => summary.geomeanSettraceSlowdown.toFixed(1),
    },
  ]
  for (const accelerator of ACCELERATORS) {
    if (rows.some((row) => row.smiley[accelerator]))
      list.push({
        title: `${accelerator} run ×`,
        align: 'right',
        cell: (row) => times(row.smiley[accelerator]?.slowdown),
        mean: (summary) => times(summary.geomeanSmileySlowdown[accelerator]),
      })
    if (rows.some((row) => row.tracerOnly[accelerator]))
      list.push({
        title: `${accelerator} tracer ×`,
        align: 'right',
        cell: (row) => {
          const figures = row.tracerOnly[accelerator]
          // A native run that fell back to Python is marked: its figure is not native.
          return figures === undefined
            ? ''
            : `${times(figures.slowdown)}${accelerator === 'native' && !figures.native ? '!' : ''}`
        },
        mean: (summary) => times(summary.geomeanTracerOnlySlowdown[accelerator]),
      })
  }
  const recorded = (row: Row): SmileyFigures | undefined => row.smiley.native ?? row.smiley.python
  if (rows.some((row) => recorded(row))) {
    list.push(
      { title: 'events', align: 'right', cell: (row) => grouped(recorded(row)?.events) },
      { title: 'events/s', align: 'right', cell: (row) => grouped(recorded(row)?.eventsPerSecond) },
      {
        title: 'bytes/event',
        align: 'right',
        cell: (row) => recorded(row)?.bytesPerEvent.toFixed(1) ?? '',
      },
    )
  }
  return list
}

/**
 * The table: one block per interpreter, each ending with its geometric means. `run ×` is
 * through `smiley run` (database included), `tracer ×` the tracer alone.
 */
export function formatTable(rows: Row[], summaries: Summary[]): string {
  const list = columns(rows)
  const blocks = groupByPython(rows).map((group) => {
    const summary = summaries.find((candidate) => candidate.python === group[0]?.python)
    const lines = group.map((row) => list.map((column) => column.cell(row)))
    if (summary) {
      const backend = group[0]?.smiley.native?.backend ?? group[0]?.smiley.python?.backend
      lines.push(
        list.map((column, i) =>
          i === 0
            ? summary.python
            : i === 1
              ? `geomean${backend ? ` (${backend})` : ''}`
              : (column.mean?.(summary) ?? ''),
        ),
      )
    }
    return lines
  })
  const header = list.map((column) => column.title)
  const widths = header.map((title, i) =>
    Math.max(title.length, ...blocks.flat().map((cells) => cells[i]?.length ?? 0)),
  )
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0
        return list[i]?.align === 'right' ? cell.padStart(width) : cell.padEnd(width)
      })
      .join('  ')
      .trimEnd()
  const rule = widths.map((width) => '─'.repeat(width)).join('  ')
  const body = blocks.flatMap((block, i) => [...(i > 0 ? [rule] : []), ...block.map(line)])
  return [line(header), rule, ...body].join('\n')
}

/** The capture section's figures, as bench-results/bench.json holds them. */
export interface CaptureFigures {
  options: {
    scale: number
    repeat: number
    pythons: string[]
    workloads: string[]
    accelerators: Accelerator[]
    endToEnd: boolean
    tracerOnly: boolean
  }
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

function entries<T>(record: Partial<Record<Accelerator, T>>): Array<[Accelerator, T]> {
  return ACCELERATORS.flatMap((accelerator) => {
    const value = record[accelerator]
    return value === undefined ? [] : [[accelerator, value] as [Accelerator, T]]
  })
}

function grouped(value: number | undefined): string {
  return value === undefined ? '' : Math.round(value).toLocaleString('en-US')
}
