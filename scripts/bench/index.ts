/**
 * `npm run bench`: every benchmark, in sections (capture slowdown, tracer memory, ingest,
 * live latency, the dashboard on a huge run, search on it, debugging it, the call graph,
 * `smiley report`, `smiley diff`),
 * each printing its table; then a summary of every target beside its figure. Everything goes to
 * bench-results/bench.json. A section that cannot run (no Chromium, no Python) says why in
 * one line and the others still run.
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { arch, cpus, platform } from 'node:os'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { BenchError, ROOT, type Accelerator } from './capture.js'
import {
  DEFAULT_PYTHONS,
  SECTION_NAMES,
  SECTIONS,
  type BenchOptions,
  type SectionFigures,
  type SectionName,
} from './sections.js'
import { checkTargets, formatTargets, type TargetResult } from './targets.js'
import { listWorkloads, type Workload } from './workloads.js'

const OUTPUT = join(ROOT, 'bench-results', 'bench.json')

const USAGE = `Usage: npm run bench -- [options]

Runs the benchmarks in sections, prints each section's table, then every performance target
beside the figure measured for it; writes all of it to bench-results/bench.json.
Progress goes to stderr, tables to stdout.

Sections (all by default, in this order):
  capture    each workload untraced, under a bare sys.settrace, under smiley run (tracer and
             database: "run ×") and under the tracer alone with its stream drained and
             dropped ("tracer ×"), with the pure-Python and the native accelerator: slowdowns,
             events, events per second and database bytes per event ("!": the native
             accelerator fell back to Python)
  memory     the tracer's peak memory above the untraced program, at 1× and 4× the length
  ingest     events per second from a real stream into SQLite; database bytes per event
  live       live latency: event committed → row on screen, in Chromium
  server     the dashboard on a synthetic run of --events events: API reads, and in
             Chromium opening the details page, jumps and the explorer
  search     search on a synthetic run of --events events, server time: the first match
             and all the matches of six queries, with block summaries and without; the
             summaries' bytes per event
  debug      debugging a synthetic run of --events events through smiley dap (each stop
             with its stack, scopes and locals) and smiley mcp (each tool), beside a
             baseline run of 2,000,000 events in the same database
  callgraph  the call graph and stats of a profile of 5,000 functions, in process and as
             server time
  report     smiley report of a synthetic run of 1,000,000 events: time and peak memory
  diff       smiley diff of two synthetic runs of 1,000,000 and of 10,000,000 events that
             part near the end, against reading both runs in the same process
  tests      smiley pytest (--keep failed, --keep all) on a suite of 500 small tests, two of
             them failing, against smiley run -m pytest (one run) and plain pytest, in the
             same rounds: CPU and wall-clock time, each test's own cost, database sizes
  timeline   the Timeline on a synthetic run of --events events, through HTTP against the
             threads list: the whole run at 1600 px (first paint), zooms and pans; building
             the call index; smiley export --format perfetto of the run and of one a tenth
             as long: seconds and peak memory
  startup    smiley run of an empty program against the bare interpreter, and where the
             difference goes: Node, the smiley command's modules, the tracer's start
  pg         PostgreSQL beside SQLite (a server started as the tests start one): ingest of
             the same streams into each, events per wall-clock second; 1, 2 and 4 recorder
             processes into one server at once, against one

Options:
  --section NAME    run this section (repeatable; default: all)
  --python VERSION  an interpreter to measure, e.g. 3.11 (repeatable; default: ${DEFAULT_PYTHONS.join(' and ')});
                    memory, ingest and tests use ${DEFAULT_PYTHONS[0]} if chosen, else the first
  --all             every interpreter found (3.8 to 3.13)
  --scale N         multiply each workload's size by N: capture, memory, ingest, tests
                    (default 1; 0.1 for a quick look)
  --only NAME       capture: only this workload (repeatable)
  --repeat K        capture: run each measurement K times and keep the fastest (default 1;
                    the untraced and settrace baselines run at least 5 times); tests: rounds
                    (at least 3); startup: rounds (at least 15)
  --accelerator A   capture: python or native (repeatable; default: both)
  --tracer-only     capture: only the tracer alone, not through smiley run
  --end-to-end      capture: only through smiley run, not the tracer alone
  --events N        server, search, debug, timeline: the run's length (default 10,000,000)
  --database PATH   server, timeline: use the newest run in PATH if it is that long, else write one
                    there (default: a temporary database)
  -h, --help        show this help`

const ACCELERATORS: Accelerator[] = ['python', 'native']

function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      section: { type: 'string', multiple: true },
      python: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      scale: { type: 'string' },
      only: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      accelerator: { type: 'string', multiple: true },
      'tracer-only': { type: 'boolean' },
      'end-to-end': { type: 'boolean' },
      events: { type: 'string' },
      database: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) return null
  const sections = values.section ?? SECTION_NAMES
  const unknownSections = sections.filter((name) => !SECTION_NAMES.includes(name as SectionName))
  if (unknownSections.length > 0)
    throw new BenchError(
      `no section ${unknownSections.join(', ')}; there are: ${SECTION_NAMES.join(', ')}`,
    )
  const scale = Number(values.scale ?? 1)
  if (!Number.isFinite(scale) || scale <= 0)
    throw new BenchError(`--scale must be a positive number, not ${values.scale}`)
  const repeat = Number(values.repeat ?? 1)
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new BenchError(`--repeat must be a whole number ≥ 1, not ${values.repeat}`)
  const events = Number(values.events ?? 10_000_000)
  if (!Number.isInteger(events) || events < 1000)
    throw new BenchError(`--events must be a whole number ≥ 1000, not ${values.events}`)
  const asked = values.accelerator ?? ACCELERATORS
  const unknown = asked.filter((name) => !ACCELERATORS.includes(name as Accelerator))
  if (unknown.length > 0)
    throw new BenchError(
      `--accelerator takes ${ACCELERATORS.join(' or ')}, not ${unknown.join(', ')}`,
    )
  const onlyTracer = values['tracer-only'] ?? false
  const onlyRun = values['end-to-end'] ?? false
  if (onlyTracer && onlyRun)
    throw new BenchError('--tracer-only and --end-to-end exclude each other')
  return {
    sections: SECTION_NAMES.filter((name) => sections.includes(name)),
    pythons: values.python ?? [],
    all: values.all ?? false,
    scale,
    repeat,
    workloads: chooseWorkloads(values.only ?? []),
    accelerators: ACCELERATORS.filter((name) => asked.includes(name)),
    endToEnd: !onlyTracer,
    tracerOnly: !onlyRun,
    events,
    database: values.database,
  }
}

function chooseWorkloads(only: string[]): Workload[] {
  const workloads = listWorkloads()
  if (only.length === 0) return workloads
  const names = workloads.map((workload) => workload.name)
  const unknown = only.filter((name) => !names.includes(name))
  if (unknown.length > 0)
    throw new BenchError(`no workload ${unknown.join(', ')}; there are: ${names.join(', ')}`)
  return workloads.filter((workload) => only.includes(workload.name))
}

/** What bench-results/bench.json holds. */
export interface BenchDocument {
  createdAt: string
  machine: { platform: string; arch: string; cpus: number; cpuModel: string; node: string }
  options: Omit<BenchOptions, 'workloads' | 'database'> & {
    workloads: string[]
    database: string | null
  }
  /** The figures of each section measured. */
  sections: Partial<SectionFigures>
  /** Why each section that failed did. */
  errors: Partial<Record<SectionName, string>>
  /** Every target beside its figure. */
  targets: TargetResult[]
}

/** Runs one section; its figures land in `document`, or its error, told in one line. */
async function runSection<K extends SectionName>(
  name: K,
  options: BenchOptions,
  document: BenchDocument,
): Promise<void> {
  const section = SECTIONS[name]
  process.stderr.write(`bench: ${name}: ${section.title}\n`)
  const started = performance.now()
  try {
    const figures = await section.measure(options)
    document.sections[name] = figures
    process.stdout.write(`${section.format(figures)}\n\n`)
    const seconds = (performance.now() - started) / 1000
    process.stderr.write(`bench: ${name}: done in ${seconds.toFixed(0)} s\n`)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    document.errors[name] = message
    process.stderr.write(`bench: ${name}: not measured: ${message.split('\n')[0]}\n`)
  }
}

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv)
  if (options === null) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const cpu = cpus()
  const document: BenchDocument = {
    createdAt: new Date().toISOString(),
    machine: {
      platform: platform(),
      arch: arch(),
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? '',
      node: process.version,
    },
    options: {
      ...options,
      workloads: options.workloads.map((workload) => workload.name),
      database: options.database ?? null,
    },
    sections: {},
    errors: {},
    targets: [],
  }
  for (const name of options.sections) await runSection(name, options, document)
  document.targets = checkTargets(document.sections, document.errors)
  process.stdout.write(`${formatTargets(document.targets)}\n`)
  mkdirSync(join(OUTPUT, '..'), { recursive: true })
  writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`)
  process.stderr.write(`bench: wrote ${relative(process.cwd(), OUTPUT)}\n`)
  if (Object.keys(document.errors).length > 0) process.exitCode = 1
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  const usage = (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ?? false
  if (!(error instanceof BenchError) && !usage) throw error
  process.stderr.write(`bench: ${(error as Error).message}\n`)
  process.exitCode = usage ? 2 : 1
}
