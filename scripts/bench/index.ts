/**
 * `npm run bench`: how much Smiley slows Python programs down, per workload and interpreter,
 * against an untraced run and a bare sys.settrace that only counts events; with the tracer's
 * pure-Python and native hot paths, through `smiley run` and for the tracer alone. Prints a
 * table and writes the same figures to bench-results/capture.json.
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { arch, cpus, platform } from 'node:os'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { findPythons, type Interpreter } from '../lib/pythons.js'
import { BenchError, ROOT, type Accelerator } from './capture.js'
import { formatTable, summarise, toRows, type CaptureDocument } from './report.js'
import { runSuite } from './suite.js'
import { listWorkloads, type Workload } from './workloads.js'

const DEFAULT_PYTHONS = ['3.11', '3.12']
const OUTPUT = join(ROOT, 'bench-results', 'capture.json')

const USAGE = `Usage: npm run bench -- [options]

Runs each workload untraced, under a bare sys.settrace, under smiley run (tracer and
database: "run ×") and under the tracer alone with its stream drained and dropped ("tracer ×"),
with the pure-Python and the native accelerator; reports the slowdowns, events recorded,
events per second and database bytes per event. A "!" marks a native figure measured after
the accelerator fell back to Python.

Options:
  --python VERSION  an interpreter to measure, e.g. 3.11 (repeatable; default: ${DEFAULT_PYTHONS.join(' and ')})
  --all             every interpreter found (3.8 to 3.13)
  --scale N         multiply each workload's size by N (default 1; 0.1 for a quick look)
  --only NAME       only this workload (repeatable)
  --repeat K        run each measurement K times and keep the fastest (default 1; the
                    untraced and settrace baselines run at least 5 times)
  --accelerator A   python or native (repeatable; default: both)
  --tracer-only     only the tracer alone, not through smiley run
  --end-to-end      only through smiley run, not the tracer alone
  -h, --help        show this help`

interface Options {
  interpreters: Interpreter[]
  workloads: Workload[]
  scale: number
  repeat: number
  accelerators: Accelerator[]
  endToEnd: boolean
  tracerOnly: boolean
}

const ACCELERATORS: Accelerator[] = ['python', 'native']

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      python: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      scale: { type: 'string' },
      only: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      accelerator: { type: 'string', multiple: true },
      'tracer-only': { type: 'boolean' },
      'end-to-end': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) return null
  const scale = Number(values.scale ?? 1)
  if (!Number.isFinite(scale) || scale <= 0)
    throw new BenchError(`--scale must be a positive number, not ${values.scale}`)
  const repeat = Number(values.repeat ?? 1)
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new BenchError(`--repeat must be a whole number ≥ 1, not ${values.repeat}`)
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
    interpreters: chooseInterpreters(values.python ?? [], values.all ?? false),
    workloads: chooseWorkloads(values.only ?? []),
    scale,
    repeat,
    accelerators: ACCELERATORS.filter((name) => asked.includes(name)),
    endToEnd: !onlyTracer,
    tracerOnly: !onlyRun,
  }
}

function chooseInterpreters(asked: string[], all: boolean): Interpreter[] {
  const { found } = findPythons()
  const versions = found.map((python) => python.version)
  if (all) {
    if (found.length === 0) throw new BenchError('no supported Python (3.8 to 3.13) found')
    return found
  }
  if (asked.length === 0) {
    const defaults = found.filter((python) => DEFAULT_PYTHONS.includes(python.version))
    if (defaults.length > 0) return defaults
    throw new BenchError(
      `found neither Python ${DEFAULT_PYTHONS.join(' nor ')}; found: ${versions.join(', ') || 'none'}`,
    )
  }
  return [...new Set(asked)].map((version) => {
    const python = found.find((candidate) => candidate.version === version)
    if (!python)
      throw new BenchError(`Python ${version} not found; found: ${versions.join(', ') || 'none'}`)
    return python
  })
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

async function main(argv: string[]): Promise<void> {
  const options = parseOptions(argv)
  if (options === null) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const { interpreters, workloads, scale, repeat } = options
  const pythons = interpreters.map((python) => python.version)
  process.stderr.write(
    `bench: ${workloads.length} workloads on Python ${pythons.join(', ')}, scale ${scale}, best of ${repeat}\n`,
  )
  const measured = await runSuite({
    ...options,
    onMeasured: ({ workload, python, untraced, settrace, smiley, tracerOnly }) => {
      const times = [
        `untraced ${untraced.seconds.toFixed(3)} s`,
        `settrace ${settrace.seconds.toFixed(3)} s`,
        ...ACCELERATORS.flatMap((name) => [
          ...(smiley[name] ? [`${name} run ${smiley[name].seconds.toFixed(2)} s`] : []),
          ...(tracerOnly[name] ? [`${name} tracer ${tracerOnly[name].seconds.toFixed(2)} s`] : []),
        ]),
      ].join(', ')
      process.stderr.write(`  ${python.version.padEnd(4)} ${workload.padEnd(12)} ${times}\n`)
    },
  })
  const rows = toRows(measured)
  const summaries = summarise(rows)
  process.stdout.write(`\n${formatTable(rows, summaries)}\n`)
  const cpu = cpus()
  const document: CaptureDocument = {
    createdAt: new Date().toISOString(),
    machine: {
      platform: platform(),
      arch: arch(),
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? '',
      node: process.version,
    },
    options: {
      scale,
      repeat,
      pythons,
      workloads: workloads.map((workload) => workload.name),
      accelerators: options.accelerators,
      endToEnd: options.endToEnd,
      tracerOnly: options.tracerOnly,
    },
    summaries,
    results: rows,
  }
  mkdirSync(join(OUTPUT, '..'), { recursive: true })
  writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`)
  process.stderr.write(`\nbench: wrote ${relative(process.cwd(), OUTPUT)}\n`)
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  const usage = (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') ?? false
  if (!(error instanceof BenchError) && !usage) throw error
  process.stderr.write(`bench: ${(error as Error).message}\n`)
  process.exitCode = usage ? 2 : 1
}
