/**
 * The `pg` section's ingest half: recording into PostgreSQL against recording into SQLite, the
 * same streams in the same run, and several recorders writing into one PostgreSQL server at
 * once. Each workload's stream is recorded once (as ingest.ts does), then fed in 64 KiB chunks
 * to the real RunRecorder of the build, honouring its back-pressure as `smiley run` does.
 *
 *   one recorder   per workload, events per wall-clock second into a fresh SQLite file and
 *                  into a fresh PostgreSQL database, alternately, the fastest of PASSES passes
 *                  each (wall clock: PostgreSQL's work is done in the server's processes)
 *   recorders      1, 2 and 4 recorder processes started together, each recording every
 *                  workload's stream into the same PostgreSQL database: all their events over
 *                  the wall-clock time from the start to the last one's end, and the ratio to
 *                  one recorder measured in the same round
 *
 * PostgreSQL is the tests' own (tests/support/postgres.ts: initdb into a temporary folder,
 * fsync off as a test server), on this machine, so its processes share its cores with the
 * recorders.
 *
 * The `pg` section's other half, reading (explorer moves and search), is pgread's `pg.ts`.
 * Merging the two: its `PgFigures` gains `ingest: PgIngestFigures` (the targets read
 * `pg.ingest`), its `measurePg` adds `ingest: await measurePgIngest(python, scale)` and its
 * `formatPg` appends `formatPgIngest(figures.ingest)`; the `pg` entry of SECTIONS is then one.
 *
 *   npm run build && npx tsx scripts/bench/pg-ingest.ts [--python 3.11] [--scale 1]
 */

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startPostgres, type PostgresServer } from '../../tests/support/postgres.js'
import { BenchError, ROOT } from './capture.js'
import { chunks, recordStream } from './ingest.js'
import { postmasterOf, serverCpuSeconds } from './server-cpu.js'
import { standaloneOptions } from './standalone.js'
import { benchRun, listWorkloads } from './workloads.js'
import type * as Database from '../../server/db/database.js'
import type * as Recorder from '../../server/record/run-recorder.js'
import type * as Sqlite from '../../server/store/sqlite/sqlite-store.js'
import type * as Postgres from '../../server/store/postgres/postgres-store.js'
import type { Store } from '../../server/store/store.js'

const PASSES = 2
const RECORDERS = [1, 2, 4]

export interface PgWorkloadIngest {
  workload: string
  events: number
  /** Events per wall-clock second, fastest pass. */
  sqlite: number
  postgres: number
  /** Events per CPU second, the recorder's and (PostgreSQL) the server's together. */
  sqliteCpu: number
  postgresCpu: number
  /** Of PostgreSQL's CPU seconds, the server's share. */
  serverShare: number
}

export interface PgIngestFigures {
  workloads: PgWorkloadIngest[]
  /** Over every workload: all their events over all their fastest times. */
  events: number
  sqlite: number
  postgres: number
  sqliteCpu: number
  postgresCpu: number
  serverShare: number
  /** Recorders at once: events per second in all, and against one recorder in that round. */
  scaling: Array<{
    recorders: number
    events: number
    seconds: number
    rate: number
    ratio: number
  }>
}

interface Build {
  openDatabase: typeof Database.openDatabase
  RunRecorder: typeof Recorder.RunRecorder
  SqliteStore: typeof Sqlite.SqliteStore
  PostgresStore: typeof Postgres.PostgresStore
}

const built = (path: string) => {
  const file = join(ROOT, 'dist', path)
  if (!existsSync(file))
    throw new BenchError(`Smiley is not built (no dist/${path}): npm run build`)
  return pathToFileURL(file).href
}

async function loadBuild(): Promise<Build> {
  const [database, recorder, sqlite, postgres] = await Promise.all([
    import(built('server/db/database.js')) as Promise<typeof Database>,
    import(built('server/record/run-recorder.js')) as Promise<typeof Recorder>,
    import(built('server/store/sqlite/sqlite-store.js')) as Promise<typeof Sqlite>,
    import(built('server/store/postgres/postgres-store.js')) as Promise<typeof Postgres>,
  ])
  return {
    openDatabase: database.openDatabase,
    RunRecorder: recorder.RunRecorder,
    SqliteStore: sqlite.SqliteStore,
    PostgresStore: postgres.PostgresStore,
  }
}

interface Timing {
  /** Wall-clock seconds. */
  wall: number
  /** CPU seconds of this process, and of the PostgreSQL server (0 for SQLite). */
  recorder: number
  server: number
}

/** The time to record `parts` into `store`, as `smiley run` would. */
async function timeRecording(
  build: Build,
  store: Store,
  parts: Buffer[],
  postmaster: number | null,
): Promise<Timing> {
  const recorder = new build.RunRecorder(store, () => benchRun('pg ingest bench'))
  const serverBefore = postmaster === null ? 0 : serverCpuSeconds(postmaster)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  for (const part of parts) if (!recorder.push(part)) await recorder.drained()
  await recorder.finish({ code: 0, signal: null })
  const wall = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const server = postmaster === null ? 0 : serverCpuSeconds(postmaster) - serverBefore
  if (recorder.storageFailure !== null) throw new BenchError(recorder.storageFailure)
  return { wall, recorder: (cpu.user + cpu.system) / 1e6, server }
}

/** The pass with the least wall-clock time. */
function fastest(timings: Timing[]): Timing {
  return timings.reduce((best, timing) => (timing.wall < best.wall ? timing : best))
}

const cpuOf = (timing: Timing) => timing.recorder + timing.server

/**
 * A recorder process: records every stream file given into the PostgreSQL URL once stdin says
 * go, then prints the events it stored.
 */
const RECORDER_SCRIPT = `
import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
const [url, ...streams] = process.argv.slice(1)
const { PostgresStore } = await import(${JSON.stringify(built('server/store/postgres/postgres-store.js'))})
const { RunRecorder } = await import(${JSON.stringify(built('server/record/run-recorder.js'))})
const store = await PostgresStore.open(url)
const parts = streams.map((path) => {
  const bytes = readFileSync(path)
  const list = []
  for (let at = 0; at < bytes.length; at += 65536) list.push(bytes.subarray(at, at + 65536))
  return list
})
process.stdout.write('ready\\n')
await new Promise((go) => process.stdin.once('data', go))
let events = 0
for (const list of parts) {
  const recorder = new RunRecorder(store, () => ({
    uuid: randomUUID(), description: 'pg ingest bench', argv: [], cwd: '/', python: null,
    pythonVersion: null, host: null, pid: null, backend: null, startedAt: Date.now() / 1000,
    options: {},
  }))
  for (const part of list) if (!recorder.push(part)) await recorder.drained()
  await recorder.finish({ code: 0, signal: null })
  if (recorder.storageFailure !== null) throw new Error(recorder.storageFailure)
  events += recorder.eventCount
}
await store.close()
process.stdout.write(events + '\\n')
`

/** `count` recorder processes started together: their events and the seconds to the last end. */
async function timeRecorders(
  count: number,
  url: string,
  streams: string[],
): Promise<{ events: number; seconds: number }> {
  const children = Array.from({ length: count }, () => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', RECORDER_SCRIPT, url, ...streams],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    )
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text))
    const ready = new Promise<void>((done) => {
      const look = () => (out.includes('ready\n') ? done() : setTimeout(look, 10))
      look()
    })
    const ended = new Promise<number>((done, fail) =>
      child.on('close', (code) =>
        code === 0
          ? done(Number(out.split('\n').at(-2)))
          : fail(new BenchError(`a recorder process exited with ${code}`)),
      ),
    )
    return { child, ready, ended }
  })
  await Promise.all(children.map((c) => c.ready))
  const started = performance.now()
  for (const { child } of children) child.stdin.end('go\n')
  const events = (await Promise.all(children.map((c) => c.ended))).reduce((a, b) => a + b, 0)
  return { events, seconds: (performance.now() - started) / 1000 }
}

export async function measurePgIngest(python: string, scale: number): Promise<PgIngestFigures> {
  const build = await loadBuild()
  const server: PostgresServer | null = await startPostgres()
  if (server === null)
    throw new BenchError('PostgreSQL cannot start here (see above): the pg section needs it')
  const folder = mkdtempSync(join(tmpdir(), 'smiley-pg-ingest-'))
  let databases = 0
  const database = () => {
    const name = `bench_${++databases}`
    server.createDatabase(name)
    return server.url(name)
  }
  try {
    const postmaster = postmasterOf(server.port)
    const workloads: PgWorkloadIngest[] = []
    const streams: string[] = []
    const totals = { sqlite: 0, postgres: 0, sqliteCpu: 0, postgresCpu: 0, server: 0 }
    for (const { name, path } of listWorkloads()) {
      const streamPath = join(folder, `${name}.stream`)
      await recordStream(python, path, scale, streamPath)
      streams.push(streamPath)
      const parts = chunks(readFileSync(streamPath))
      let events = 0
      const sqlites: Timing[] = []
      const postgreses: Timing[] = []
      for (let pass = 0; pass < PASSES; pass++) {
        const db = build.openDatabase(join(folder, `${name}-${pass}.db`), { create: true })
        const sqliteStore = new build.SqliteStore(db)
        sqlites.push(await timeRecording(build, sqliteStore, parts, null))
        events = Number(
          (db.prepare('SELECT max(event_count) AS n FROM runs').get() as { n: number }).n,
        )
        db.close()
        const pgStore = await build.PostgresStore.open(database())
        postgreses.push(await timeRecording(build, pgStore, parts, postmaster))
        await pgStore.close()
      }
      const sqlite = fastest(sqlites)
      const postgres = fastest(postgreses)
      totals.sqlite += sqlite.wall
      totals.postgres += postgres.wall
      totals.sqliteCpu += cpuOf(sqlite)
      totals.postgresCpu += cpuOf(postgres)
      totals.server += postgres.server
      workloads.push({
        workload: name,
        events,
        sqlite: events / sqlite.wall,
        postgres: events / postgres.wall,
        sqliteCpu: events / cpuOf(sqlite),
        postgresCpu: events / cpuOf(postgres),
        serverShare: postgres.server / cpuOf(postgres),
      })
    }
    const events = workloads.reduce((sum, w) => sum + w.events, 0)
    const scaling: PgIngestFigures['scaling'] = []
    for (const recorders of RECORDERS) {
      const { events: stored, seconds } = await timeRecorders(recorders, database(), streams)
      if (stored !== events * recorders)
        throw new BenchError(
          `${recorders} recorders stored ${stored} events of ${events * recorders}`,
        )
      const rate = stored / seconds
      scaling.push({
        recorders,
        events: stored,
        seconds,
        rate,
        ratio: rate / (scaling[0]?.rate ?? rate),
      })
    }
    return {
      workloads,
      events,
      sqlite: events / totals.sqlite,
      postgres: events / totals.postgres,
      sqliteCpu: events / totals.sqliteCpu,
      postgresCpu: events / totals.postgresCpu,
      serverShare: totals.server / totals.postgresCpu,
      scaling,
    }
  } finally {
    server.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}

export function formatPgIngest(figures: PgIngestFigures): string {
  const rate = (value: number) => Math.round(value).toLocaleString('en-US').padStart(10)
  const row = (name: string, w: Omit<PgWorkloadIngest, 'workload'>) =>
    `  ${name.padEnd(12)} ${w.events.toLocaleString('en-US').padStart(10)} ${rate(w.sqlite)} ${rate(w.postgres)} ${(w.postgres / w.sqlite).toFixed(2).padStart(6)} ${rate(w.sqliteCpu)} ${rate(w.postgresCpu)} ${(w.postgresCpu / w.sqliteCpu).toFixed(2).padStart(6)} ${`${Math.round(w.serverShare * 100)} %`.padStart(7)}`
  return [
    `ingest into PostgreSQL and SQLite, the same streams, events per second (fastest of ${PASSES} passes by wall clock; cpu: per CPU second of the recorder and, for PostgreSQL, of the server)`,
    `  ${'workload'.padEnd(12)} ${'events'.padStart(10)} ${'SQLite/s'.padStart(10)} ${'PG/s'.padStart(10)} ${'PG/SQL'.padStart(6)} ${'SQLite/cpu'.padStart(10)} ${'PG/cpu'.padStart(10)} ${'PG/SQL'.padStart(6)} ${'server'.padStart(7)}`,
    ...figures.workloads.map((w) => row(w.workload, w)),
    row('all', figures),
    `recorder processes writing into one PostgreSQL server at once, every stream each`,
    `  ${'recorders'.padEnd(10)} ${'events'.padStart(11)} ${'seconds'.padStart(8)} ${'events/s'.padStart(10)} ${'× one'.padStart(6)}`,
    ...figures.scaling.map(
      (s) =>
        `  ${String(s.recorders).padEnd(10)} ${s.events.toLocaleString('en-US').padStart(11)} ${s.seconds.toFixed(2).padStart(8)} ${rate(s.rate)} ${s.ratio.toFixed(2).padStart(6)}`,
    ),
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { python, scale } = standaloneOptions()
  process.stdout.write(formatPgIngest(await measurePgIngest(python, scale)) + '\n')
}
