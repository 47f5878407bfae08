/**
 * Issue 7's targets, each beside the figure `npm run bench` measured for it: the targets are
 * data, read from the same figures bench.json holds, so the summary and the JSON agree.
 */

import type { Accelerator } from './capture.js'
import type { Summary } from './report.js'
import { QUERIES } from './search.js'
import type { SectionFigures, SectionName } from './sections.js'

type Measured = Partial<SectionFigures>

export interface Target {
  /** What is measured, as the summary names it. */
  figure: string
  section: SectionName
  /** The bound the figure must keep to; none for a figure shown for information. */
  bound: { at: 'most' | 'least'; value: number } | null
  unit: 'x' | 'events/s' | 'bytes/event' | 'MB' | 'ms' | 's' | '%'
  /** The figure, in `unit`; undefined when it was not measured. */
  read: (measured: Measured) => number | undefined
  /** What the figure was measured on, when the reader needs to know. */
  note?: (measured: Measured) => string | undefined
}

/** One line of the summary, as bench.json holds it. */
export interface TargetResult {
  figure: string
  unit: Target['unit']
  target: Target['bound']
  /** Null when not measured. */
  measured: number | null
  /** Null for a figure without a target, or not measured. */
  met: boolean | null
  note: string | null
}

const summaryOf = (measured: Measured, python: string): Summary | undefined =>
  measured.capture?.summaries.find((summary) => summary.python === python)

/** What a capture geomean stands on; says so when the native accelerator fell back. */
function captureNote(
  measured: Measured,
  python: string,
  accelerator: Accelerator,
  way: 'tracerOnly' | 'smiley',
): string | undefined {
  const capture = measured.capture
  if (capture === undefined) return undefined
  const rows = capture.results.filter((row) => row.python === python && row[way][accelerator])
  const fellBack = rows.filter((row) => row.tracerOnly[accelerator]?.native === false).length
  const on = `${rows.length} workloads, scale ${capture.options.scale}`
  return accelerator === 'native' && fellBack > 0 ? `${on}; ${fellBack} fell back to Python` : on
}

function tracerSlowdown(python: string, accelerator: Accelerator, bound: number): Target {
  const name = accelerator === 'native' ? 'native accelerator' : 'pure-Python tracer'
  return {
    figure: `capture slowdown, ${name}, tracer alone, geomean, CPython ${python}`,
    section: 'capture',
    bound: { at: 'most', value: bound },
    unit: 'x',
    read: (measured) => summaryOf(measured, python)?.geomeanTracerOnlySlowdown[accelerator],
    note: (measured) => captureNote(measured, python, accelerator, 'tracerOnly'),
  }
}

function runSlowdown(python: string, accelerator: Accelerator): Target {
  return {
    figure: `  the same through smiley run (database included), ${accelerator}, CPython ${python}`,
    section: 'capture',
    bound: null,
    unit: 'x',
    read: (measured) => summaryOf(measured, python)?.geomeanSmileySlowdown[accelerator],
    note: (measured) => captureNote(measured, python, accelerator, 'smiley'),
  }
}

/** Every smiley run's database over all its events, on the first interpreter measured. */
function captureBytesPerEvent(measured: Measured): number | undefined {
  const capture = measured.capture
  const python = capture?.options.pythons[0]
  const recorded = (capture?.results ?? [])
    .filter((row) => row.python === python)
    .map((row) => row.smiley.native ?? row.smiley.python)
  if (recorded.length === 0 || recorded.some((figures) => figures === undefined)) return undefined
  const bytes = recorded.reduce((sum, figures) => sum + figures!.databaseBytes, 0)
  const events = recorded.reduce((sum, figures) => sum + figures!.events, 0)
  return bytes / events
}

const serverNote = (measured: Measured) =>
  measured.server && `${measured.server.events.toLocaleString('en-US')} events`

export const TARGETS: Target[] = [
  tracerSlowdown('3.11', 'python', 60),
  runSlowdown('3.11', 'python'),
  tracerSlowdown('3.11', 'native', 15),
  runSlowdown('3.11', 'native'),
  tracerSlowdown('3.12', 'native', 15),
  runSlowdown('3.12', 'native'),
  {
    figure: 'sustained ingest into SQLite (decode and store, every workload)',
    section: 'ingest',
    bound: { at: 'least', value: 1_000_000 },
    unit: 'events/s',
    read: (measured) => measured.ingest?.store,
    note: (measured) =>
      measured.ingest &&
      `${measured.ingest.events.toLocaleString('en-US')} events, Python ${measured.ingest.python}, per CPU second`,
  },
  {
    figure: 'ingest into PostgreSQL, one recorder (every workload, wall clock)',
    section: 'pg',
    bound: { at: 'least', value: 500_000 },
    unit: 'events/s',
    read: (measured) => measured.pg?.ingest.postgres,
    note: (measured) =>
      measured.pg &&
      `SQLite in the same run: ${Math.round(measured.pg.ingest.sqlite).toLocaleString('en-US')} events/s`,
  },
  {
    figure: 'ingest into PostgreSQL, 4 recorders against one',
    section: 'pg',
    bound: { at: 'least', value: 1.5 },
    unit: 'x',
    read: (measured) => measured.pg?.ingest.scaling.find((s) => s.recorders === 4)?.ratio,
  },
  {
    figure: 'storage, the ingest databases',
    section: 'ingest',
    bound: { at: 'most', value: 40 },
    unit: 'bytes/event',
    read: (measured) => measured.ingest?.bytesPerEvent,
  },
  {
    figure: 'storage, the smiley run databases of the capture workloads',
    section: 'capture',
    bound: { at: 'most', value: 40 },
    unit: 'bytes/event',
    read: captureBytesPerEvent,
    note: (measured) =>
      measured.capture && `Python ${measured.capture.options.pythons[0]}, write-ahead log included`,
  },
  {
    figure: 'tracer memory above the untraced program, largest',
    section: 'memory',
    bound: { at: 'most', value: 100 },
    unit: 'MB',
    read: (measured) =>
      measured.memory && Math.max(...measured.memory.workloads.flatMap((w) => w.above)) / 1024,
    note: (measured) => {
      if (measured.memory === undefined) return undefined
      const growth = Math.max(0, ...measured.memory.workloads.map((w) => w.above[1] - w.above[0]))
      return `${measured.memory.workloads.length} workloads at 1× and 4×; grows ≤ ${(growth / 1024).toFixed(1)} MB from 1× to 4×`
    },
  },
  {
    figure: 'live latency, event committed → visible in Chromium, p95',
    section: 'live',
    bound: { at: 'most', value: 250 },
    unit: 'ms',
    read: (measured) => measured.live?.p95,
    note: (measured) => measured.live && `${measured.live.commits} commits`,
  },
  {
    figure: 'huge run: open the details page',
    section: 'server',
    bound: { at: 'most', value: 1 },
    unit: 's',
    read: (measured) => measured.server && measured.server.openDetails / 1000,
    note: serverNote,
  },
  {
    figure: 'huge run: jump to an event, the slowest of the jumps over the run',
    section: 'server',
    bound: { at: 'most', value: 150 },
    unit: 'ms',
    read: (measured) => measured.server?.jumps.max,
    note: (measured) =>
      measured.server &&
      `${measured.server.jumps.count} jumps, the first to the middle; median ${measured.server.jumps.median.toFixed(0)} ms`,
  },
  {
    figure: 'huge run: jump to the last event',
    section: 'server',
    bound: { at: 'most', value: 150 },
    unit: 'ms',
    read: (measured) => measured.server?.jumpToEnd,
    note: serverNote,
  },
  ...searchTargets(),
  ...debugTargets(),
  {
    figure: 'stats page (GET profile), server time',
    section: 'callgraph',
    bound: { at: 'most', value: 300 },
    unit: 'ms',
    read: (measured) => measured.callgraph?.api.profile,
    note: (measured) => measured.callgraph && `${measured.callgraph.functions} functions`,
  },
  {
    figure: 'call graph (GET callgraph), server time',
    section: 'callgraph',
    bound: { at: 'most', value: 300 },
    unit: 'ms',
    read: (measured) => measured.callgraph?.api.callGraph,
    note: (measured) => measured.callgraph && `${measured.callgraph.functions} functions`,
  },
  ...[
    { events: 1_000_000, seconds: 2 },
    { events: 10_000_000, seconds: 15 },
  ].map(({ events, seconds }): Target => {
    const run = (measured: Measured) => measured.diff?.runs.find((r) => r.events === events)
    return {
      figure: `smiley diff, two runs of ${events.toLocaleString('en-US')} events`,
      section: 'diff',
      bound: { at: 'most', value: seconds },
      unit: 's',
      read: (measured) => run(measured)?.compare,
      note: (measured) => {
        const found = run(measured)
        return (
          found &&
          `${(found.compare / found.read).toFixed(2)}× reading both runs; CPU ${found.compareCpu.toFixed(2)} s; ` +
            `load ${found.load[0].toFixed(1)}; divergence ${found.found ? 'found' : 'MISSED'}`
        )
      },
    }
  }),
  ...(
    [
      ['Timeline: first paint, the whole run at 1600 px', 'firstPaint'],
      ['Timeline: a zoom to an eighth of the run', 'zoom'],
    ] as const
  ).map(([figure, name]): Target => ({
    figure,
    section: 'timeline',
    bound: { at: 'most', value: 300 },
    unit: 'ms',
    read: (measured) => measured.timeline?.[name].median,
    note: (measured) =>
      measured.timeline &&
      `${measured.timeline.events.toLocaleString('en-US')} events; ${(measured.timeline[name].median / measured.timeline.baseline.median).toFixed(1)}× the threads list`,
  })),
  {
    figure: 'Timeline: cold first paint, on a server started later (overview read)',
    section: 'timeline',
    bound: { at: 'most', value: 300 },
    unit: 'ms',
    read: (measured) => measured.timeline?.firstAfterRestart,
    note: (measured) =>
      measured.timeline &&
      `its first zoom: ${measured.timeline.firstZoomAfterRestart.toFixed(0)} ms; building the index the first time: ${measured.timeline.firstEver.toFixed(0)} ms`,
  },
  {
    figure: "smiley pytest: each test's own run, CPU over the one-run recording",
    section: 'tests',
    bound: { at: 'most', value: 5 },
    unit: 'ms',
    read: (measured) => measured.tests?.perTestCostMs.cpu,
    note: (measured) =>
      measured.tests &&
      `${measured.tests.tests} tests, Python ${measured.tests.python}; wall-clock ${measured.tests.perTestCostMs.wall.toFixed(2)} ms`,
  },
  {
    figure: 'smiley pytest: database with 2 failing tests, --keep failed / --keep all',
    section: 'tests',
    bound: { at: 'most', value: 10 },
    unit: '%',
    read: (measured) =>
      measured.tests && (100 * measured.tests.bytes.keepFailed) / measured.tests.bytes.keepAll,
    note: (measured) => {
      if (!measured.tests) return undefined
      const { oneRun, keepAll, empty } = measured.tests.bytes
      const oneLine = measured.tests.oneLineBytes
      const share = (bytes: number, of = keepAll) => `${((100 * bytes) / of).toFixed(1)}%`
      return `unit tests of ~180 events; one run: ${share(oneRun)} of --keep all; one-line tests: ${share(oneLine.keepFailed, oneLine.keepAll)} (an empty database: ${share(empty, oneLine.keepAll)})`
    },
  },
  {
    figure: 'start-up: smiley run of an empty program, over the bare interpreter',
    section: 'startup',
    bound: { at: 'most', value: 150 },
    unit: 'ms',
    read: (measured) =>
      measured.startup && 1000 * (measured.startup.smileyRun.wall - measured.startup.bare.wall),
    note: (measured) => {
      const figures = measured.startup
      if (figures === undefined) return undefined
      const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`
      return `Python ${figures.python}, wall-clock, least of ${figures.rounds}; CPU ${ms(figures.smileyRun.cpu - figures.bare.cpu)} over`
    },
  },
]

/**
 * Each target beside its figure. A figure not measured says why: its section was not run,
 * failed, or ran without it (another interpreter, one accelerator).
 */
export function checkTargets(
  measured: Measured,
  failed: Partial<Record<SectionName, string>>,
): TargetResult[] {
  return TARGETS.map((target) => {
    const value = target.read(measured)
    const ran = target.section in measured
    const why = target.section in failed ? `${target.section} failed` : `${target.section} not run`
    const met =
      value === undefined || target.bound === null
        ? null
        : target.bound.at === 'most'
          ? value <= target.bound.value
          : value >= target.bound.value
    return {
      figure: target.figure,
      unit: target.unit,
      target: target.bound,
      measured: value ?? null,
      met,
      note:
        value === undefined ? (ran ? 'not in this run' : why) : (target.note?.(measured) ?? null),
    }
  })
}

const DIGITS: Record<Target['unit'], number> = {
  x: 1,
  'events/s': 0,
  'bytes/event': 1,
  MB: 1,
  ms: 0,
  s: 2,
  '%': 1,
}

/** A figure with its unit; a bound without trailing zeros (≤ 60×, not ≤ 60.0×). */
function amount(value: number, unit: Target['unit'], bound = false): string {
  const number = value.toLocaleString('en-US', {
    minimumFractionDigits: bound ? 0 : DIGITS[unit],
    maximumFractionDigits: DIGITS[unit],
  })
  return unit === 'x' ? `${number}×` : unit === '%' ? `${number}%` : `${number} ${unit}`
}

/** The summary as an aligned table: figure, target, measured, met, what it was measured on. */
export function formatTargets(results: TargetResult[]): string {
  const rows = results.map((result) => [
    result.figure,
    result.target === null
      ? ''
      : `${result.target.at === 'most' ? '≤' : '≥'} ${amount(result.target.value, result.unit, true)}`,
    result.measured === null ? 'not measured' : amount(result.measured, result.unit),
    result.met === null ? '' : result.met ? 'yes' : 'NO',
    result.note ?? '',
  ])
  const header = ['figure', 'target', 'measured', 'met', 'on']
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((cells) => cells[i]!.length)),
  )
  const right = [false, true, true, false, false]
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [
    'performance targets',
    line(header),
    widths.map((width) => '─'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n')
}

/** Issue 22: each search query, first match and all matches, in a second; summaries ≤ 10%. */
function searchTargets(): Target[] {
  const note = (measured: Measured) =>
    measured.search && `${measured.search.events.toLocaleString('en-US')} events`
  const timings = QUERIES.flatMap((query): Target[] =>
    (['firstMatch', 'allMatches'] as const).map((which) => ({
      figure: `huge run: search ${query}, ${which === 'firstMatch' ? 'first match' : 'all matches'}, server time`,
      section: 'search',
      bound: { at: 'most', value: 1000 },
      unit: 'ms',
      read: (measured) =>
        measured.search?.queries.find((entry) => entry.query === query)?.summaries[which],
      note,
    })),
  )
  return [
    ...timings,
    {
      figure: 'search: block summaries, storage per event beside the blocks',
      section: 'search',
      bound: { at: 'most', value: 10 },
      unit: '%',
      read: (measured) =>
        measured.search &&
        (measured.search.summaryBytesPerEvent / measured.search.blockBytesPerEvent) * 100,
      note: (measured) =>
        measured.search && `${measured.search.summaryBytesPerEvent.toFixed(2)} bytes/event`,
    },
  ]
}

/** Issue 26: each DAP stop on a huge run in 100 ms, each MCP tool in a second. */
function debugTargets(): Target[] {
  const note = (measured: Measured) =>
    measured.debug &&
    `${measured.debug.events.toLocaleString('en-US')} events; ` +
      `slowest on ${measured.debug.baselineEvents.toLocaleString('en-US')}: ` +
      `dap ${Math.max(...measured.debug.dap.map((row) => row.baseline)).toFixed(0)} ms, ` +
      `mcp ${Math.max(...measured.debug.mcp.map((row) => row.baseline)).toFixed(0)} ms`
  return [
    {
      figure: 'huge run: the slowest smiley dap stop (move, stack, scopes, locals)',
      section: 'debug',
      bound: { at: 'most', value: 100 },
      unit: 'ms',
      read: (measured) => measured.debug && Math.max(...measured.debug.dap.map((row) => row.huge)),
      note,
    },
    {
      figure: 'huge run: the slowest smiley mcp tool call',
      section: 'debug',
      bound: { at: 'most', value: 1000 },
      unit: 'ms',
      read: (measured) => measured.debug && Math.max(...measured.debug.mcp.map((row) => row.huge)),
      note,
    },
  ]
}
