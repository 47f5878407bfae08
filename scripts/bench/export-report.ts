/**
 * `smiley report` on a large run: time and peak memory of exporting a synthetic run of N
 * events (default one million), written through the real ingest first. The export runs in a
 * process of its own, so that its peak memory is the report's, not the writing's or that of
 * whatever else the calling process measured before.
 *
 *   npx tsx scripts/bench/export-report.ts [--events N] [--database PATH]
 */

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../server/db/database.js'
import { findRun } from '../../server/db/runs.js'
import { writeReport } from '../../server/report/write-report.js'
import { writeSyntheticRun } from './synthetic.js'

export interface ReportBenchOptions {
  /** The run's length; a run at least this long already in `database` is used as it is. */
  events: number
  /** Where the run is (or is written); a temporary folder when absent. */
  database?: string | undefined
}

export interface ReportFigures {
  events: number
  seconds: number
  /** Bytes of report written. */
  bytes: number
  /** Peak resident size of the exporting process, in bytes. */
  peakMemory: number
  /** The same above what the process held before the export started. */
  aboveStart: number
}

/** The uuid of a run of at least `events` events in `path`, written there if there is none. */
function findOrWriteRun(path: string, events: number): string {
  const db = openDatabase(path, { create: true })
  try {
    const found = db
      .prepare('SELECT uuid FROM runs WHERE event_count >= ? ORDER BY id DESC LIMIT 1')
      .get(events) as { uuid: string } | undefined
    if (found !== undefined) return found.uuid
    process.stderr.write(`  writing ${events.toLocaleString('en-US')} events…\n`)
    return writeSyntheticRun(db, events)
  } finally {
    db.close()
  }
}

/**
 * This process's peak resident size, in bytes. Linux carries getrusage's maxRSS over exec
 * from the process that forked, so /proc's high-water mark comes first.
 */
function peakResident(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : ''
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]
  return (kib === undefined ? process.resourceUsage().maxRSS : Number(kib)) * 1024
}

/** The export itself, in this process: the child's side of `measureReport`. */
function exportHere(database: string, run: string, folder: string): ReportFigures {
  const db = openDatabase(database)
  try {
    const stored = findRun(db, run)
    const before = peakResident()
    const started = performance.now()
    const summary = writeReport(db, stored, { folder, title: 'bench', callGraph: null })
    const seconds = (performance.now() - started) / 1000
    const peak = peakResident()
    return {
      events: summary.events,
      seconds,
      bytes: summary.bytes,
      peakMemory: peak,
      aboveStart: peak - before,
    }
  } finally {
    db.close()
  }
}

export async function measureReport(options: ReportBenchOptions): Promise<ReportFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-report-bench-'))
  try {
    const database = options.database ?? join(folder, 'big.db')
    const run = findOrWriteRun(database, options.events)
    process.stderr.write('  writing the report…\n')
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        import.meta.filename,
        '--child',
        '--database',
        database,
        '--run',
        run,
        '--folder',
        join(folder, 'report'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let stdout = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    const code = await new Promise<number | null>((done) => child.on('close', done))
    if (code !== 0) throw new Error(`the report's process exited with ${code}`)
    return JSON.parse(stdout) as ReportFigures
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

export function formatReport(figures: ReportFigures): string {
  // Memory in MiB, as the README quotes it.
  const written = `${(figures.bytes / 1e6).toFixed(0)} MB`
  const memory = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`
  return (
    `smiley report of ${figures.events.toLocaleString('en-US')} events: ${figures.seconds.toFixed(1)} s, ` +
    `${written} written (${(figures.bytes / figures.events).toFixed(0)} bytes/event), ` +
    `peak memory ${memory(figures.peakMemory)} (${memory(figures.aboveStart)} above the start)`
  )
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      database: { type: 'string' },
      // The child's side: the run is in --database already; export it into --folder.
      child: { type: 'boolean' },
      run: { type: 'string' },
      folder: { type: 'string' },
    },
  })
  if (values.child) {
    const figures = exportHere(values.database!, values.run!, values.folder!)
    process.stdout.write(JSON.stringify(figures) + '\n')
  } else {
    const figures = await measureReport({
      events: Number(values.events),
      database: values.database,
    })
    process.stdout.write(formatReport(figures) + '\n')
  }
}
