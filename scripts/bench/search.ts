/**
 * Search on a huge run: writes a synthetic run of N events (default ten million; see
 * synthetic.ts, whose checkpoint calls are the rare events), then times, as server time in
 * this process, the requests the dashboard makes: the first match from the start (requests
 * until one finds it, as the Find field does) and all the matches (requests of 100 until the
 * end, as Only matches does). Each query twice: with the blocks' summaries, and without them
 * (every block read, as search did before summaries existed). And what the summaries cost
 * in storage, per event.
 *
 *   npx tsx scripts/bench/search.ts [--events N] [--database PATH] [--keep]
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseTraceQuery } from '../../shared/trace-query.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { RunNames } from '../../server/db/events.js'
import { searchEvents } from '../../server/db/search.js'
import { writeSyntheticRun } from './synthetic.js'
import { hugeRunOptions } from './standalone.js'

export interface SearchOptions {
  events: number
  /** Where the run is written; a temporary folder when absent. */
  database?: string | undefined
  keep?: boolean | undefined
}

/** Milliseconds, and what was found. */
export interface SearchTiming {
  firstMatch: number
  firstRequests: number
  allMatches: number
  allRequests: number
  matches: number
}

export interface SearchFigures {
  events: number
  /** The queries, each timed with summaries and without. */
  queries: Array<{ query: string; summaries: SearchTiming; without: SearchTiming }>
  /** Bytes of the block summaries (table and key), and of the events' blocks, per event. */
  summaryBytesPerEvent: number
  blockBytesPerEvent: number
}

export const QUERIES = [
  'fn:checkpoint',
  'kind:exception',
  'var:saved',
  '"checkpoint 999999"',
  'kind:exception fn:main',
  'nosuchword',
]

/** The requests of one search until the first match (limit 1) or all of them (limit 100). */
function timeSearch(db: Db, run: number, names: RunNames, text: string, total: number) {
  const query = parseTraceQuery(text)
  const ask = (from: number, limit: number) =>
    searchEvents(db, run, names, { query, from, direction: 'forward', limit, total })
  let started = performance.now()
  let firstRequests = 0
  for (let from: number | null = 1; from !== null;) {
    const page = ask(from, 1)
    firstRequests += 1
    if (page.matches.length > 0) break
    from = page.next
  }
  const firstMatch = performance.now() - started
  started = performance.now()
  let allRequests = 0
  let matches = 0
  for (let from: number | null = 1; from !== null;) {
    const page = ask(from, 100)
    allRequests += 1
    matches += page.matches.length
    from = page.next
  }
  return {
    firstMatch,
    firstRequests,
    allMatches: performance.now() - started,
    allRequests,
    matches,
  }
}

/** Bytes of the pages of `table` and its index (SQLite's dbstat). */
function tableBytes(db: Db, table: string): number {
  return db
    .prepare(
      `SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = ?
       OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?)`,
    )
    .pluck()
    .get(table, table) as number
}

export function measureSearch(options: SearchOptions): SearchFigures {
  const folder = options.database ? null : mkdtempSync(join(tmpdir(), 'smiley-search-'))
  const path = options.database ?? join(folder!, 'search.db')
  const db = openDatabase(path, { create: true })
  try {
    process.stderr.write(
      `  writing ${options.events.toLocaleString('en-US')} events into ${path}…\n`,
    )
    const uuid = writeSyntheticRun(db, options.events)
    const { id: run, event_count: total } = db
      .prepare('SELECT id, event_count FROM runs WHERE uuid = ?')
      .get(uuid) as { id: number; event_count: number }
    const names = new RunNames(db, run)
    const summaryBytes = tableBytes(db, 'block_summaries')
    const blockBytes = tableBytes(db, 'event_blocks')
    const withSummaries = QUERIES.map((query) => {
      const timing = timeSearch(db, run, names, query, total)
      process.stderr.write(
        `  ${query}: ${timing.firstMatch.toFixed(0)} ms / ${timing.allMatches.toFixed(0)} ms\n`,
      )
      return timing
    })
    // Without summaries: as a run recorded before them (rolled back, so the run keeps them).
    const without = db.transaction(() => {
      db.prepare('DELETE FROM block_summaries WHERE run = ?').run(run)
      const timings = QUERIES.map((query) => {
        const timing = timeSearch(db, run, names, query, total)
        process.stderr.write(
          `  ${query}, every block read: ${timing.firstMatch.toFixed(0)} ms / ${timing.allMatches.toFixed(0)} ms\n`,
        )
        return timing
      })
      throw new Rollback(timings)
    })
    let timings: SearchTiming[] = []
    try {
      without()
    } catch (error) {
      if (!(error instanceof Rollback)) throw error
      timings = error.timings
    }
    return {
      events: total,
      queries: QUERIES.map((query, index) => ({
        query,
        summaries: withSummaries[index]!,
        without: timings[index]!,
      })),
      summaryBytesPerEvent: summaryBytes / total,
      blockBytesPerEvent: blockBytes / total,
    }
  } finally {
    db.close()
    if (folder !== null && !options.keep) rmSync(folder, { recursive: true, force: true })
  }
}

/** Carries the timings out of a transaction undone on purpose. */
class Rollback extends Error {
  constructor(readonly timings: SearchTiming[]) {
    super('rolled back')
  }
}

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0))

export function formatSearch(figures: SearchFigures): string {
  const lines = [
    `search on ${figures.events.toLocaleString('en-US')} events, server time in ms (requests): first match / all matches`,
    `${'query'.padEnd(26)} ${'with summaries'.padEnd(30)} every block read`,
  ]
  for (const { query, summaries, without } of figures.queries) {
    const cell = (t: SearchTiming) =>
      `${ms(t.firstMatch)} (${t.firstRequests}) / ${ms(t.allMatches)} (${t.allRequests}), ${t.matches} found`
    lines.push(`${query.padEnd(26)} ${cell(summaries).padEnd(30)} ${cell(without)}`)
  }
  const growth = (figures.summaryBytesPerEvent / figures.blockBytesPerEvent) * 100
  lines.push(
    `summaries: ${figures.summaryBytesPerEvent.toFixed(3)} bytes/event, ` +
      `${growth.toFixed(1)}% of the events' blocks (${figures.blockBytesPerEvent.toFixed(1)} bytes/event)`,
  )
  return lines.join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const figures = measureSearch(hugeRunOptions())
  process.stdout.write(`${formatSearch(figures)}\n`)
}
