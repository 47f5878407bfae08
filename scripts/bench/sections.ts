/**
 * The sections of `npm run bench`: what each one measures with which of the command's
 * options, and how its table is printed. Each section's module is also a script of its own.
 */

import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CHROMIUM, hasChromium } from '../../tests/support/browser.js'
import { findPythons, type Interpreter } from '../lib/pythons.js'
import { formatCallGraph, measureCallGraph, type CallGraphFigures } from './callgraph.js'
import { BenchError, ROOT, type Accelerator } from './capture.js'
import { formatDiff, measureDiff, type DiffFigures } from './diff.js'
import { formatDashboard, measureDashboard, type DashboardFigures } from './dashboard.js'
import { formatDebug, measureDebug, type DebugFigures } from './debug.js'
import { formatReport, measureReport, type ReportFigures } from './export-report.js'
import { formatIngest, measureIngest, type IngestFigures } from './ingest.js'
import { formatPgIngest, measurePgIngest, type PgIngestFigures } from './pg-ingest.js'
import { formatLatency, measureLiveLatency, type LatencyFigures } from './live-latency.js'
import { formatMemory, measureMemory, type MemoryFigures } from './memory.js'
import { formatTable, summarise, toRows, type CaptureFigures } from './report.js'
import { formatPg, measurePg, type PgFigures } from './pg.js'
import { measurePipeline, type PipelineFigures } from './pipeline.js'
import { formatPipeline } from './pipeline-report.js'
import { formatSearch, measureSearch, type SearchFigures } from './search.js'
import { formatStartup, measureStartup, type StartupFigures } from './startup.js'
import { runSuite } from './suite.js'
import { formatTimeline, measureTimeline, type TimelineFigures } from './timeline.js'
import { formatTestSession, measureTestSession, type TestSessionFigures } from './test-session.js'
import type { Workload } from './workloads.js'

export const SECTION_NAMES = [
  'capture',
  'memory',
  'ingest',
  'live',
  'server',
  'search',
  'debug',
  'callgraph',
  'report',
  'diff',
  'tests',
  'timeline',
  'startup',
  'pg',
  'pipeline',
] as const
export type SectionName = (typeof SECTION_NAMES)[number]

export const DEFAULT_PYTHONS = ['3.11', '3.12']
/** The live section's writer: seconds of recording, events a second. */
const LIVE = { seconds: 10, rate: 20_000 }
/** The target's figure for the stats page and the call graph. */
const PROFILE_FUNCTIONS = 5_000
const REPORT_EVENTS = 1_000_000
const DIFF_EVENTS = [1_000_000, 10_000_000]
/** The pg section's run: the 1 M-event run. */
const PG_EVENTS = 1_000_000

/** The command's options, checked. */
export interface BenchOptions {
  sections: SectionName[]
  /** Interpreters asked for with --python, as versions; none means the defaults. */
  pythons: string[]
  /** Every interpreter found. */
  all: boolean
  scale: number
  repeat: number
  workloads: Workload[]
  accelerators: Accelerator[]
  endToEnd: boolean
  tracerOnly: boolean
  /** The server section's run length and database. */
  events: number
  database: string | undefined
}

/** What each section measured, as bench.json holds it. */
export interface SectionFigures {
  capture: CaptureFigures
  memory: { python: string; scale: number; workloads: MemoryFigures[] }
  ingest: IngestFigures & { python: string; scale: number }
  live: LatencyFigures & { seconds: number; rate: number }
  server: DashboardFigures
  search: SearchFigures
  debug: DebugFigures
  callgraph: CallGraphFigures
  report: ReportFigures
  diff: DiffFigures
  tests: TestSessionFigures & { python: string; scale: number; repeat: number }
  timeline: TimelineFigures
  startup: StartupFigures & { python: string }
  /** PostgreSQL beside SQLite: ingest (pg-ingest.ts) and the explorer's reads (pg.ts). */
  pg: PgFigures & { python: string; scale: number; ingest: PgIngestFigures }
  pipeline: PipelineFigures
}

interface Section<K extends SectionName> {
  /** What it measures, in a few words, for the progress lines. */
  title: string
  measure: (options: BenchOptions) => Promise<SectionFigures[K]>
  format: (figures: SectionFigures[K]) => string
}

const progress = (line: string) => process.stderr.write(`  ${line}\n`)

let pythonsFound: Interpreter[] | undefined

/** The interpreters to measure: the ones asked for, every one found, or 3.11 and 3.12. */
function chooseInterpreters(options: BenchOptions): Interpreter[] {
  const found = (pythonsFound ??= findPythons().found)
  const versions = found.map((python) => python.version).join(', ') || 'none'
  if (options.all) {
    if (found.length === 0) throw new BenchError('no supported Python (3.8 to 3.13) found')
    return found
  }
  if (options.pythons.length === 0) {
    const defaults = found.filter((python) => DEFAULT_PYTHONS.includes(python.version))
    if (defaults.length > 0) return defaults
    throw new BenchError(
      `found neither Python ${DEFAULT_PYTHONS.join(' nor ')}; found: ${versions}`,
    )
  }
  return [...new Set(options.pythons)].map((version) => {
    const python = found.find((candidate) => candidate.version === version)
    if (!python) throw new BenchError(`Python ${version} not found; found: ${versions}`)
    return python
  })
}

/** The sections measuring one interpreter take 3.11 when it is chosen, else the first. */
function oneInterpreter(options: BenchOptions): Interpreter {
  const chosen = chooseInterpreters(options)
  return chosen.find((python) => python.version === DEFAULT_PYTHONS[0]) ?? chosen[0]!
}

/** The sections driving the dashboard need Chromium and the built client. */
function checkBrowser(): void {
  if (!hasChromium()) throw new BenchError(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`)
  if (!existsSync(join(ROOT, 'dist', 'client', 'index.html')))
    throw new BenchError('the dashboard is not built (no dist/client/index.html): npm run build')
}

async function measureCapture(options: BenchOptions): Promise<CaptureFigures> {
  const interpreters = chooseInterpreters(options)
  const { workloads, scale, repeat, accelerators } = options
  const pythons = interpreters.map((python) => python.version)
  progress(
    `${workloads.length} workloads on Python ${pythons.join(', ')}, scale ${scale}, best of ${repeat}`,
  )
  const measured = await runSuite({
    ...options,
    interpreters,
    onMeasured: ({ workload, python, untraced, settrace, smiley, tracerOnly }) => {
      const times = [
        `untraced ${untraced.seconds.toFixed(3)} s`,
        `settrace ${settrace.seconds.toFixed(3)} s`,
        ...accelerators.flatMap((name) => [
          ...(smiley[name] ? [`${name} run ${smiley[name].seconds.toFixed(2)} s`] : []),
          ...(tracerOnly[name] ? [`${name} tracer ${tracerOnly[name].seconds.toFixed(2)} s`] : []),
        ]),
      ].join(', ')
      progress(`${python.version.padEnd(4)} ${workload.padEnd(12)} ${times}`)
    },
  })
  const results = toRows(measured)
  return {
    options: {
      scale,
      repeat,
      pythons,
      workloads: workloads.map((workload) => workload.name),
      accelerators,
      endToEnd: options.endToEnd,
      tracerOnly: options.tracerOnly,
    },
    summaries: summarise(results),
    results,
  }
}

export const SECTIONS: { [K in SectionName]: Section<K> } = {
  capture: {
    title: 'capture slowdown, per workload and interpreter',
    measure: measureCapture,
    format: (figures) => formatTable(figures.results, figures.summaries),
  },
  memory: {
    title: "the tracer's peak memory above the untraced program",
    measure: async (options) => {
      const python = oneInterpreter(options)
      progress(`Python ${python.version}, scale ${options.scale} and ${options.scale * 4}`)
      const workloads = await measureMemory(python.path, options.scale)
      return { python: python.version, scale: options.scale, workloads }
    },
    format: (figures) => formatMemory(figures.workloads),
  },
  ingest: {
    title: 'events/s from a real stream into SQLite',
    measure: async (options) => {
      const python = oneInterpreter(options)
      progress(`recording a stream on Python ${python.version}, scale ${options.scale}`)
      const figures = await measureIngest(python.path, options.scale)
      return { python: python.version, scale: options.scale, ...figures }
    },
    format: formatIngest,
  },
  live: {
    title: 'live latency in Chromium',
    measure: async () => {
      checkBrowser()
      progress(`${LIVE.rate.toLocaleString('en-US')} events/s for ${LIVE.seconds} s`)
      return { ...LIVE, ...(await measureLiveLatency(LIVE.seconds, LIVE.rate)) }
    },
    format: formatLatency,
  },
  server: {
    title: 'the dashboard on a huge run',
    measure: async (options) => {
      checkBrowser()
      return measureDashboard({ events: options.events, database: options.database })
    },
    format: formatDashboard,
  },
  search: {
    title: 'search on a huge run, with block summaries and without',
    measure: async (options) => measureSearch({ events: options.events }),
    format: formatSearch,
  },
  debug: {
    title: 'debugging a huge run through smiley dap and smiley mcp',
    measure: (options) => measureDebug({ events: options.events }),
    format: formatDebug,
  },
  callgraph: {
    title: `the stats and call graph of ${PROFILE_FUNCTIONS.toLocaleString('en-US')} functions`,
    measure: () => measureCallGraph({ functions: PROFILE_FUNCTIONS, runs: 10 }),
    format: formatCallGraph,
  },
  report: {
    title: `smiley report of ${REPORT_EVENTS.toLocaleString('en-US')} events`,
    measure: () => measureReport({ events: REPORT_EVENTS }),
    format: formatReport,
  },
  diff: {
    title: 'smiley diff of two huge runs',
    measure: async () => measureDiff({ events: DIFF_EVENTS }),
    format: formatDiff,
  },
  tests: {
    title: 'smiley pytest on 500 small tests, against one run and plain pytest',
    measure: async (options) => {
      const python = oneInterpreter(options)
      if (spawnSync(python.path, ['-c', 'import pytest']).status !== 0)
        throw new BenchError(`Python ${python.version} has no pytest (pip install pytest)`)
      const repeat = Math.max(3, options.repeat)
      progress(`Python ${python.version}, scale ${options.scale}, ${repeat} rounds`)
      const figures = await measureTestSession(python.path, options.scale, repeat, progress)
      return { python: python.version, scale: options.scale, repeat, ...figures }
    },
    format: formatTestSession,
  },
  timeline: {
    title: 'the Timeline on a huge run, and its Perfetto export',
    measure: (options) => measureTimeline({ events: options.events, database: options.database }),
    format: formatTimeline,
  },
  startup: {
    title: 'smiley run of an empty program, against the bare interpreter',
    measure: async (options) => {
      const python = oneInterpreter(options)
      const rounds = Math.max(15, options.repeat)
      progress(`Python ${python.version}, ${rounds} rounds`)
      return { python: python.version, ...(await measureStartup(python.path, rounds, progress)) }
    },
    format: formatStartup,
  },
  pg: {
    title:
      'PostgreSQL beside SQLite: ingest with one and several recorders, the explorer and search',
    measure: async (options) => {
      const python = oneInterpreter(options)
      progress(`recording streams on Python ${python.version}, scale ${options.scale}`)
      const ingest = await measurePgIngest(python.path, options.scale)
      const read = await measurePg({ events: PG_EVENTS })
      return { python: python.version, scale: options.scale, ingest, ...read }
    },
    format: (figures) => `${formatPgIngest(figures.ingest)}\n${formatPg(figures)}`,
  },
  pipeline: {
    title: 'the recording path stage by stage: tracer, pipe, decoding, blocks, SQLite, cProfile',
    measure: async (options) => {
      const pythons = chooseInterpreters(options)
      progress(
        `${options.workloads.length} workloads on Python ${pythons.map((p) => p.version).join(', ')}, scale ${options.scale}`,
      )
      return measurePipeline({ ...options, pythons, progress })
    },
    format: formatPipeline,
  },
}
