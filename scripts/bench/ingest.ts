/**
 * The Node side of recording: how many events per second go from the tracer's stream into
 * SQLite. A real stream is recorded once (the tracer writing to fd 3, as under `smiley run`,
 * here into a file), then fed in 64 KiB chunks to the real RunRecorder, into a fresh
 * database each time, and timed in parts, so the figures say where the time goes:
 *
 *   decode      frames, marshal and records only, nothing stored
 *   store       decode, then RunWriter into the database as it is (every index)
 *   store, no explorer indexes   the same without events_by_frame and events_by_line
 *   SQLite alone                 the same number of rows (run, seq, kind) inserted bare
 *
 *   npx tsx scripts/bench/ingest.ts [--python 3.11] [--scale 1]
 */

import { spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../server/db/database.js'
import { RunRecorder } from '../../server/record/run-recorder.js'
import { FrameReader } from '../../shared/wire/frames.js'
import { loads, type PyValue } from '../../shared/wire/marshal.js'
import { parseRecord } from '../../shared/wire/records.js'
import { tracerEnv } from '../../server/record/launch.js'
import { standaloneOptions } from './standalone.js'
import { benchRun, benchTracerOptions } from './workloads.js'

const ROOT = join(import.meta.dirname, '..', '..')
const CHUNK = 64 * 1024

export interface IngestFigures {
  events: number
  streamBytes: number
  /** Events per second for each part. */
  decode: number
  store: number
  storeWithoutExplorerIndexes: number
  sqliteAlone: number
  bytesPerEvent: number
}

/** Runs a workload under the tracer with its stream going to `path`; resolves when it ends. */
async function recordStream(python: string, workload: string, scale: number, path: string) {
  const out = openSync(path, 'w')
  const child = spawn(python, [workload, String(scale)], {
    cwd: join(ROOT, 'scripts', 'bench', 'workloads'),
    env: tracerEnv(benchTracerOptions('ingest-bench', { profile: false })),
    stdio: ['ignore', 'ignore', 'inherit', out],
  })
  const code = await new Promise<number | null>((done) => child.on('exit', done))
  closeSync(out)
  if (code !== 0) throw new Error(`${workload} exited with ${code}`)
}

function chunks(stream: Buffer): Buffer[] {
  const parts: Buffer[] = []
  for (let at = 0; at < stream.length; at += CHUNK) parts.push(stream.subarray(at, at + CHUNK))
  return parts
}

function timeDecode(parts: Buffer[]): { seconds: number; events: number } {
  const started = performance.now()
  const reader = new FrameReader()
  let events = 0
  for (const part of parts) {
    for (const payload of reader.push(part)) {
      for (const value of loads(payload) as PyValue[]) {
        if (parseRecord(value).tag <= 4) events += 1
      }
    }
  }
  return { seconds: (performance.now() - started) / 1000, events }
}

function timeStore(parts: Buffer[], path: string, withoutExplorerIndexes: boolean) {
  const db = openDatabase(path, { create: true })
  if (withoutExplorerIndexes) db.exec('DROP INDEX events_by_frame; DROP INDEX events_by_line;')
  const recorder = new RunRecorder(db, () => benchRun('ingest bench'))
  const started = performance.now()
  for (const part of parts) recorder.push(part)
  recorder.finish({ code: 0, signal: null })
  const seconds = (performance.now() - started) / 1000
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { seconds, bytes: statSync(path).size }
}

function timeSqliteAlone(events: number, path: string): number {
  const db = openDatabase(path, { create: true })
  db.exec(
    'CREATE TABLE bare (run INTEGER, seq INTEGER, kind INTEGER, PRIMARY KEY (run, seq)) WITHOUT ROWID',
  )
  const insert = db.prepare('INSERT INTO bare VALUES (1, ?, 1)')
  const started = performance.now()
  const batch = db.transaction((from: number, to: number) => {
    for (let seq = from; seq < to; seq++) insert.run(seq)
  })
  for (let from = 1; from <= events; from += 20_000)
    batch(from, Math.min(events + 1, from + 20_000))
  const seconds = (performance.now() - started) / 1000
  db.close()
  return events / seconds
}

export async function measureIngest(python: string, scale: number): Promise<IngestFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-ingest-'))
  try {
    const streamPath = join(folder, 'stream.bin')
    await recordStream(python, 'locals.py', scale * 40, streamPath)
    const stream = readFileSync(streamPath)
    const parts = chunks(stream)
    const decoded = timeDecode(parts)
    const stored = timeStore(parts, join(folder, 'all.db'), false)
    const bare = timeStore(parts, join(folder, 'bare.db'), true)
    return {
      events: decoded.events,
      streamBytes: stream.length,
      decode: decoded.events / decoded.seconds,
      store: decoded.events / stored.seconds,
      storeWithoutExplorerIndexes: decoded.events / bare.seconds,
      sqliteAlone: timeSqliteAlone(decoded.events, join(folder, 'sqlite.db')),
      bytesPerEvent: stored.bytes / decoded.events,
    }
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

export function formatIngest(figures: IngestFigures): string {
  const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} events/s`
  return [
    `ingest of a real stream: ${figures.events.toLocaleString('en-US')} events, ${(figures.streamBytes / figures.events).toFixed(1)} stream bytes/event`,
    `  decode only (frames, marshal, records)     ${rate(figures.decode)}`,
    `  decode and store (every index)             ${rate(figures.store)}`,
    `  decode and store, no explorer indexes      ${rate(figures.storeWithoutExplorerIndexes)}`,
    `  SQLite alone, bare (run, seq, kind) rows   ${rate(figures.sqliteAlone)}`,
    `  database size                              ${figures.bytesPerEvent.toFixed(1)} bytes/event`,
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { python, scale } = standaloneOptions()
  process.stdout.write(formatIngest(await measureIngest(python, scale)) + '\n')
}
