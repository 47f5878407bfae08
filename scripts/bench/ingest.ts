/**
 * The Node side of recording: how many events per second go from the tracer's stream into
 * SQLite, and how many bytes each takes there. Each workload's stream is recorded once (the
 * tracer writing to fd 3, as under `smiley run`, here into a file), then fed in 64 KiB chunks
 * to the real RunRecorder, into a fresh database, PASSES times. Times are this process's CPU
 * time, so that whatever runs on the machine's other core does not count against it. The
 * recorder is the one `smiley run` runs, built by tsc into dist/ (`npm run bench` builds it
 * first); the same code transformed by tsx on the fly measured 0–13% slower in same-run
 * comparisons here.
 *
 *   decode       frames and records only, nothing stored (the fastest pass)
 *   store        decode, then RunWriter into the database: the fastest pass, the sustained
 *                rate of a recorder that has run a while (its code compiled by the JIT)
 *   first        the same, the first pass of each stream: a short run's rate
 *   SQLite alone the same number of rows (run, seq, kind) inserted bare: what a row per event
 *                would cost at the least, before any index
 *
 *   npm run build && npx tsx scripts/bench/ingest.ts [--python 3.11] [--scale 1]
 */

import { spawn } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { tracerEnv } from '../../server/record/launch.js'
import { BenchError, ROOT } from './capture.js'
import { standaloneOptions } from './standalone.js'
import { benchRun, benchTracerOptions, listWorkloads, WORKLOAD_DIR } from './workloads.js'
import type * as Database from '../../server/db/database.js'
import type * as Recorder from '../../server/record/run-recorder.js'
import type * as Writer from '../../server/ingest/run-writer.js'
import type * as Sqlite from '../../server/store/sqlite/sqlite-store.js'
import type * as Frames from '../../shared/wire/frames.js'
import type * as Reader from '../../shared/wire/record-reader.js'

const CHUNK = 64 * 1024
const PASSES = 3

/** The modules of the build that the measures use, as `smiley run` loads them. */
export interface Build {
  openDatabase: typeof Database.openDatabase
  RunRecorder: typeof Recorder.RunRecorder
  RunWriter: typeof Writer.RunWriter
  SqliteStore: typeof Sqlite.SqliteStore
  FrameReader: typeof Frames.FrameReader
  readRecords: typeof Reader.readRecords
}

export async function loadBuild(): Promise<Build> {
  const load = async <T>(path: string): Promise<T> => {
    const file = join(ROOT, 'dist', path)
    if (!existsSync(file))
      throw new BenchError(`Smiley is not built (no dist/${path}): npm run build`)
    return (await import(pathToFileURL(file).href)) as T
  }
  const [database, recorder, writer, sqlite, frames, reader] = await Promise.all([
    load<typeof Database>('server/db/database.js'),
    load<typeof Recorder>('server/record/run-recorder.js'),
    load<typeof Writer>('server/ingest/run-writer.js'),
    load<typeof Sqlite>('server/store/sqlite/sqlite-store.js'),
    load<typeof Frames>('shared/wire/frames.js'),
    load<typeof Reader>('shared/wire/record-reader.js'),
  ])
  return {
    openDatabase: database.openDatabase,
    RunRecorder: recorder.RunRecorder,
    RunWriter: writer.RunWriter,
    SqliteStore: sqlite.SqliteStore,
    FrameReader: frames.FrameReader,
    readRecords: reader.readRecords,
  }
}

export interface WorkloadIngest {
  workload: string
  events: number
  streamBytes: number
  /** Events per CPU second. */
  decode: number
  store: number
  /** Events per CPU second in the first pass. */
  first: number
  /** Database bytes per event. */
  bytesPerEvent: number
}

export interface IngestFigures {
  workloads: WorkloadIngest[]
  /** Over every workload: all their events over all their time, or bytes. */
  events: number
  streamBytes: number
  decode: number
  store: number
  first: number
  sqliteAlone: number
  bytesPerEvent: number
}

/** Runs a workload under the tracer with its stream going to `path`; resolves when it ends. */
export async function recordStream(python: string, workload: string, scale: number, path: string) {
  const out = openSync(path, 'w')
  const child = spawn(python, [workload, String(scale)], {
    cwd: WORKLOAD_DIR,
    env: tracerEnv(benchTracerOptions('ingest-bench', { profile: false })),
    stdio: ['ignore', 'ignore', 'inherit', out],
  })
  const code = await new Promise<number | null>((done) => child.on('exit', done))
  closeSync(out)
  if (code !== 0) throw new Error(`${workload} exited with ${code}`)
}

export function chunks(stream: Buffer): Buffer[] {
  const parts: Buffer[] = []
  for (let at = 0; at < stream.length; at += CHUNK) parts.push(stream.subarray(at, at + CHUNK))
  return parts
}

/** Seconds of CPU that `work` took in this process. */
function cpuSeconds(work: () => void): number {
  const before = process.cpuUsage()
  work()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1e6
}

/** Seconds of CPU that `work` took in this process, to its end. */
async function cpuSecondsOf(work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage()
  await work()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1e6
}

function passes<T>(measure: (pass: number) => T): T[] {
  return Array.from({ length: PASSES }, (_, pass) => measure(pass))
}

async function passesOf<T>(measure: (pass: number) => Promise<T>): Promise<T[]> {
  const results: T[] = []
  for (let pass = 0; pass < PASSES; pass++) results.push(await measure(pass))
  return results
}

function fastest(results: Array<{ seconds: number }>): number {
  return Math.min(...results.map((result) => result.seconds))
}

function timeDecode(build: Build, parts: Buffer[]): { seconds: number; events: number } {
  const { FrameReader, readRecords } = build
  let events = 0
  const seconds = cpuSeconds(() => {
    const reader = new FrameReader()
    for (const part of parts) {
      for (const payload of reader.push(part)) {
        for (const record of readRecords(payload)) if (record.tag <= 4) events += 1
      }
    }
  })
  return { seconds, events }
}

async function timeStore(
  build: Build,
  parts: Buffer[],
  path: string,
): Promise<{ seconds: number; bytes: number }> {
  const { openDatabase, RunRecorder, SqliteStore } = build
  const db = openDatabase(path, { create: true })
  const recorder = new RunRecorder(new SqliteStore(db), () => benchRun('ingest bench'))
  const seconds = await cpuSecondsOf(async () => {
    for (const part of parts) if (!recorder.push(part)) await recorder.drained()
    await recorder.finish({ code: 0, signal: null })
  })
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { seconds, bytes: statSync(path).size }
}

function timeSqliteAlone(build: Build, events: number, path: string): number {
  const db = build.openDatabase(path, { create: true })
  db.exec(
    'CREATE TABLE bare (run INTEGER, seq INTEGER, kind INTEGER, PRIMARY KEY (run, seq)) WITHOUT ROWID',
  )
  const insert = db.prepare('INSERT INTO bare VALUES (1, ?, 1)')
  const batch = db.transaction((from: number, to: number) => {
    for (let seq = from; seq < to; seq++) insert.run(seq)
  })
  const seconds = cpuSeconds(() => {
    for (let from = 1; from <= events; from += 20_000)
      batch(from, Math.min(events + 1, from + 20_000))
  })
  db.close()
  return events / seconds
}

export async function measureIngest(python: string, scale: number): Promise<IngestFigures> {
  const build = await loadBuild()
  const folder = mkdtempSync(join(tmpdir(), 'smiley-ingest-'))
  try {
    const workloads: WorkloadIngest[] = []
    let decodeSeconds = 0
    let storeSeconds = 0
    let firstSeconds = 0
    let bytes = 0
    for (const { name, path } of listWorkloads()) {
      const streamPath = join(folder, `${name}.stream`)
      await recordStream(python, path, scale, streamPath)
      const stream = readFileSync(streamPath)
      rmSync(streamPath)
      const parts = chunks(stream)
      const decodes = passes(() => timeDecode(build, parts))
      const stores = await passesOf((pass) =>
        timeStore(build, parts, join(folder, `${name}-${pass}.db`)),
      )
      const { events } = decodes[0]!
      const decoded = fastest(decodes)
      const stored = fastest(stores)
      decodeSeconds += decoded
      storeSeconds += stored
      firstSeconds += stores[0]!.seconds
      bytes += stores[0]!.bytes
      workloads.push({
        workload: name,
        events,
        streamBytes: stream.length,
        decode: events / decoded,
        store: events / stored,
        first: events / stores[0]!.seconds,
        bytesPerEvent: stores[0]!.bytes / events,
      })
    }
    const events = workloads.reduce((sum, w) => sum + w.events, 0)
    return {
      workloads,
      events,
      streamBytes: workloads.reduce((sum, w) => sum + w.streamBytes, 0),
      decode: events / decodeSeconds,
      store: events / storeSeconds,
      first: events / firstSeconds,
      sqliteAlone: timeSqliteAlone(build, events, join(folder, 'sqlite.db')),
      bytesPerEvent: bytes / events,
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

export function formatIngest(figures: IngestFigures): string {
  const rate = (value: number) => Math.round(value).toLocaleString('en-US').padStart(10)
  const row = (name: string, w: Omit<WorkloadIngest, 'workload'>) =>
    `  ${name.padEnd(12)} ${w.events.toLocaleString('en-US').padStart(10)} ${(w.streamBytes / w.events).toFixed(1).padStart(8)} ${rate(w.decode)} ${rate(w.store)} ${rate(w.first)} ${w.bytesPerEvent.toFixed(1).padStart(9)}`
  return [
    `ingest of real streams, events per CPU second of the recording process (fastest of ${PASSES} passes; first: the first pass)`,
    `  ${'workload'.padEnd(12)} ${'events'.padStart(10)} ${'stream B'.padStart(8)} ${'decode/s'.padStart(10)} ${'store/s'.padStart(10)} ${'first/s'.padStart(10)} ${'db B/ev'.padStart(9)}`,
    ...figures.workloads.map((w) => row(w.workload, w)),
    row('all', figures),
    `  SQLite alone, bare (run, seq, kind) rows: ${rate(figures.sqliteAlone).trim()} rows/s`,
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { python, scale } = standaloneOptions()
  process.stdout.write(formatIngest(await measureIngest(python, scale)) + '\n')
}
