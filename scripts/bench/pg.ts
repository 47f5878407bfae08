/**
 * PostgreSQL beside SQLite, on the same run (the `pg` section of `npm run bench`).
 *
 * Reading (this file): a synthetic run of N events (default 1,000,000; synthetic.ts) written
 * into SQLite and imported into PostgreSQL (a server started for the bench, as the tests start
 * one, or the one SMILEY_BENCH_PG names), then the dashboard's explorer requests timed through
 * the web app in this process, on each store in turn: a step forward and a step back from
 * events spread over the run, the moment at such events, and searches to their first match.
 * PostgreSQL answers from its local read cache, whose first copy of the run is timed apart.
 * Each figure is the fastest of the rounds, the two stores measured alternately, and printed
 * with its ratio to SQLite's.
 *
 * Ingest (pg-ingest.ts, to come): one and four recorders into PostgreSQL against SQLite; its
 * figures join PgFigures as `ingest`.
 *
 *   npx tsx scripts/bench/pg.ts [--events N]
 */

import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../server/db/database.js'
import { openStore } from '../../server/store/open.js'
import { transferRuns } from '../../server/store/replica/transfer.js'
import type { Store } from '../../server/store/store.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { startPostgres } from '../../tests/support/postgres.js'
import { BenchError, ROOT } from './capture.js'
import { writeSyntheticRun } from './synthetic.js'

export interface PgReadOptions {
  events: number
  /** Rounds per store, alternating. */
  rounds?: number
}

/** Milliseconds per request, fastest round, on each store. */
export interface PgRequestFigure {
  name: string
  requests: number
  sqlite: number
  postgres: number
}

export interface PgReadFigures {
  events: number
  /** Copying the run from SQLite into PostgreSQL (smiley import's copy). */
  importMs: number
  /** The read cache's first copy of the run, and the cache file it made. */
  firstCopyMs: number
  cacheBytes: number
  requests: PgRequestFigure[]
}

export interface PgFigures {
  read: PgReadFigures
}

const STEPS = 200
const SEARCHES = ['fn:checkpoint', 'var:saved', 'kind:exception']

/** The requests timed, as paths under /api/runs/ID. */
function requestSets(events: number): Array<{ name: string; paths: string[] }> {
  const seqs = Array.from(
    { length: STEPS },
    (_, i) => 1 + Math.floor(((i * 7919) % STEPS) * (events / STEPS)),
  )
  return [
    { name: 'step forward', paths: seqs.map((seq) => `/move?seq=${seq}&move=next`) },
    { name: 'step back', paths: seqs.map((seq) => `/move?seq=${seq + 1}&move=previous`) },
    { name: 'step over', paths: seqs.map((seq) => `/move?seq=${seq}&move=over`) },
    { name: 'moment at', paths: seqs.map((seq) => `/moment?seq=${seq}`) },
    ...SEARCHES.map((query) => ({
      name: `search ${query}`,
      paths: [`/search?q=${encodeURIComponent(query)}&from=1&limit=1`],
    })),
  ]
}

export async function measurePgRead(options: PgReadOptions): Promise<PgReadFigures> {
  const rounds = options.rounds ?? 3
  const folder = mkdtempSync(join(tmpdir(), 'smiley-pg-bench-'))
  process.env['SMILEY_CACHE_DIR'] = join(folder, 'cache')
  const given = process.env['SMILEY_BENCH_PG']
  const server = given ? null : await startPostgres()
  if (!given && server === null) throw new BenchError('no PostgreSQL server could be started')
  let sqlite: Store | undefined
  let postgres: Store | undefined
  try {
    const path = join(folder, 'run.db')
    const db = openDatabase(path, { create: true })
    progress(`writing ${options.events.toLocaleString('en-US')} events into SQLite`)
    const uuid = writeSyntheticRun(db, options.events)
    db.close()
    let url = given!
    if (server !== null) {
      server.createDatabase('bench')
      url = server.url('bench')
    }
    sqlite = await openStore(path)
    postgres = await openStore(url)
    progress('importing it into PostgreSQL')
    let started = performance.now()
    await transferRuns(sqlite, postgres, [uuid])
    const importMs = performance.now() - started
    const found = await postgres.findRun(uuid)
    progress('the read cache copies it')
    started = performance.now()
    const cache = await postgres.reader(found)
    const firstCopyMs = performance.now() - started
    const cacheBytes = [cache.name, `${cache.name}-wal`]
      .map((file) => (existsSync(file) ? statSync(file).size : 0))
      .reduce((a, b) => a + b, 0)
    const apps = { sqlite: appOn(sqlite), postgres: appOn(postgres) }
    const best = new Map<string, { sqlite: number; postgres: number }>()
    const sets = requestSets(options.events)
    for (let round = 0; round < rounds; round++)
      for (const set of sets)
        for (const name of ['sqlite', 'postgres'] as const) {
          const ms = await timeRequests(apps[name], uuid, set.paths)
          const kept = best.get(set.name) ?? { sqlite: Infinity, postgres: Infinity }
          kept[name] = Math.min(kept[name], ms / set.paths.length)
          best.set(set.name, kept)
        }
    return {
      events: options.events,
      importMs,
      firstCopyMs,
      cacheBytes,
      requests: sets.map((set) => ({
        name: set.name,
        requests: set.paths.length,
        ...best.get(set.name)!,
      })),
    }
  } finally {
    await sqlite?.close()
    await postgres?.close()
    server?.stop()
    rmSync(folder, { recursive: true, force: true })
  }
}

function appOn(store: Store) {
  return createApp(new AppContext(store), {
    token: null,
    hosts: new Set(['127.0.0.1']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
}

/** Milliseconds for `paths`, asked one after another as the dashboard asks them. */
async function timeRequests(
  app: ReturnType<typeof appOn>,
  uuid: string,
  paths: string[],
): Promise<number> {
  const started = performance.now()
  for (const path of paths) {
    const res = await app.request(`/api/runs/${uuid}${path}`, { headers: { host: '127.0.0.1' } })
    if (res.status !== 200) throw new BenchError(`${path}: ${res.status} ${await res.text()}`)
    await res.arrayBuffer()
  }
  return performance.now() - started
}

export async function measurePg(options: PgReadOptions): Promise<PgFigures> {
  return { read: await measurePgRead(options) }
}

export function formatPg(figures: PgFigures): string {
  const { read } = figures
  const lines = [
    `explorer on ${read.events.toLocaleString('en-US')} events, ms per request (fastest round): SQLite / PostgreSQL (its read cache)`,
  ]
  for (const r of read.requests)
    lines.push(
      `${r.name.padEnd(26)} ${r.sqlite.toFixed(2).padStart(8)} / ${r.postgres.toFixed(2).padStart(8)}   ×${(r.postgres / r.sqlite).toFixed(2)} (${r.requests} requests)`,
    )
  lines.push(
    `the read cache's first copy of the run: ${(read.firstCopyMs / 1000).toFixed(2)} s ` +
      `(${(read.cacheBytes / 1e6).toFixed(0)} MB file); smiley import's copy into PostgreSQL: ${(read.importMs / 1000).toFixed(2)} s`,
  )
  return lines.join('\n')
}

function progress(text: string): void {
  process.stderr.write(`  ${text}…\n`)
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' } } })
  const figures = await measurePg({ events: Number(values.events) })
  process.stdout.write(`${formatPg(figures)}\n`)
}
