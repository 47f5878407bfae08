/**
 * A recorder's flush into PostgreSQL: one transaction of multi-row INSERTs (upserts where
 * SQLite replaces a row) with the run's event count, as in SQLite, its statements sent at
 * once (Reconnecting.commitAtOnce).
 */

import type pg from 'pg'
import { profileRows } from '../../ingest/profile.js'
import { encodeProfile } from '../../db/profile-blob.js'
import type { Batch, Row, SmallTable } from '../batch.js'
import { RunDeleted } from '../errors.js'
import { columnArray, int8Array, type ColumnArray } from './binary-array.js'

/** Where every change to a run is announced (NOTIFY), with the run's key. */
export const RUNS_CHANNEL = 'smiley_runs'

/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMS = 60_000

interface Insert {
  table: string
  columns: string[]
  /** How many leading columns are the key; with `update`, rows with one key are written once. */
  key: number
  /** Columns a row that is there already takes from the new one; none: the new one is ignored. */
  update: string[]
}

function insert(table: string, columns: string, key: number, update = ''): Insert {
  const split = (text: string) =>
    text
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
  return { table, columns: split(columns), key, update: split(update) }
}

const SMALL: Record<Exclude<SmallTable, 'awaits'>, Insert> = {
  functions: insert('functions', 'run, id, file, name, qualified_name, first_line', 2),
  symbols: insert('symbols', 'run, id, text', 2),
  threads: insert('threads', 'run, id, ident, name', 2, 'ident, name'),
  tasks: insert('tasks', 'run, id, name, thread', 2, 'name, thread'),
  sources: insert('sources', 'hash, text', 1),
  files: insert('files', 'run, id, path, source_hash', 2, 'path, source_hash'),
}
const BLOCKS = insert('event_blocks', 'run, first_seq, last_seq, data', 2, 'last_seq, data')
const SUMMARIES = insert(
  'block_summaries',
  'run, block, kinds, functions, names, texts',
  2,
  'kinds, functions, names, texts',
)
const KEYS = {
  threads: insert('thread_blocks', 'run, thread, block', 3),
  tasks: insert('task_blocks', 'run, task, block', 3),
  lines: insert('line_blocks', 'run, file, line, block', 4),
  frames: insert('frame_blocks', 'run, frame, block, locals', 3),
}
const FRAMES = insert(
  'frames',
  'run, first_id, min_id, max_id, count, revision, data',
  2,
  'min_id, max_id, count, revision, data',
)
const FRAME_ENDS = insert(
  'frame_ends',
  'run, id, end_seq, end_us, children',
  2,
  'end_seq, end_us, children',
)
const FRAME_CHILDREN = insert('frame_children', 'run, parent, chunk', 3)
const ACTIVATIONS = insert(
  'activations',
  'run, frame, seq, parent, parent_line',
  3,
  'parent, parent_line',
)

/**
 * The statements that write `batch`, to run in order in one transaction. When the run is gone
 * the first fails with division_by_zero, rolling the transaction back (`refusedBatch` says
 * RunDeleted): the statements are sent at once, so none can wait to see the run is there.
 *
 * Round trips are what a flush costs most on a busy machine, so the inserts of every table go
 * as data-modifying CTEs of as few statements as the parameter limit allows (usually one, with
 * the run's count), then the updates of rows those inserts may have written (a statement sees
 * only the rows there before it began) in one more, with the NOTIFY.
 */
export function batchStatements(batch: Batch): pg.QueryConfig[] {
  const { run } = batch
  const counted: Piece = {
    sql: (at) =>
      `UPDATE runs SET event_count = $${at}, lost_events = $${at + 1} WHERE id = $${at + 2} RETURNING 1`,
    params: [batch.events, batch.lostEvents, run],
  }
  const { blocks } = batch
  const inserts: Piece[] = [
    counted,
    ...Object.entries(SMALL).flatMap(([table, spec]) => {
      const rows = batch.small[table as keyof typeof SMALL]
      // Sources are shared by every run: taken in one order by every recorder, so that two
      // recorders writing the same ones wait for each other instead of deadlocking.
      return insertPieces(spec, table === 'sources' ? [...rows].sort(byKey) : rows)
    }),
    ...insertPieces(FRAMES, batch.frames.chunks),
    ...insertPieces(FRAME_ENDS, batch.frames.ends),
    ...insertPieces(FRAME_CHILDREN, batch.frames.children),
    ...insertPieces(
      BLOCKS,
      blocks.blocks.map((row) => row.slice(0, 4)),
    ),
    ...insertPieces(
      SUMMARIES,
      blocks.blocks.map(([r, first, , , kinds, functions, names, texts]) => [
        r,
        first,
        kinds,
        functions,
        names,
        texts,
      ]),
    ),
    ...insertPieces(KEYS.threads, blocks.threads),
    ...insertPieces(KEYS.tasks, blocks.tasks),
    ...insertPieces(KEYS.lines, blocks.lines),
    ...insertPieces(KEYS.frames, blocks.frames),
    ...insertPieces(ACTIVATIONS, batch.activations),
    ...hitPieces(run, batch.hits),
    ...profilePieces(run, batch.profile),
  ]
  // The first group holds the count: no row counted, no run.
  const statements = grouped(inserts).map((group, index) =>
    statement(group, index === 0 ? 'SELECT 1 / count(*) AS run_is_there FROM p0' : 'SELECT 1'),
  )
  // A task's awaiter and its tallies are columns of one row: two statements.
  for (const group of grouped(
    updatePieces(
      'tasks',
      ['awaiter'],
      batch.small.awaits.map(([awaiter, r, id]) => [r, id, awaiter]),
    ),
  ))
    statements.push(statement(group, 'SELECT 1'))
  const updates = [
    ...updatePieces(
      'threads',
      [...TALLY_COLUMNS, 'locations'],
      batch.threadTallies.map((t) => [run, t.id, ...tallied(t), t.locations]),
    ),
    ...updatePieces(
      'tasks',
      [...TALLY_COLUMNS, 'first_frame'],
      batch.taskTallies.map((t) => [run, t.id, ...tallied(t), t.firstFrame]),
    ),
  ]
  // The NOTIFY goes with the last statement; delivered with the commit, so that a watcher
  // that hears it sees the batch.
  const last = grouped(updates)
  const notify = `SELECT pg_notify('${RUNS_CHANNEL}', '${run}')`
  if (last.length === 0) statements.push({ text: notify })
  for (const [index, group] of last.entries())
    statements.push(statement(group, index === last.length - 1 ? notify : 'SELECT 1'))
  return statements
}

/** A batch's failure as the store says it: RunDeleted when its run was gone. */
export function refusedBatch(error: unknown): unknown {
  return (error as { code?: string } | null)?.code === DIVISION_BY_ZERO ? new RunDeleted() : error
}

const DIVISION_BY_ZERO = '22012'

/** A part of a statement: its SQL with its parameters numbered from `at`, and their values. */
interface Piece {
  sql: (at: number) => string
  params: unknown[]
}

/** The pieces in groups whose parameters fit in one statement, in order. */
function grouped(pieces: Piece[]): Piece[][] {
  const groups: Piece[][] = []
  let current: Piece[] = []
  let size = 0
  for (const piece of pieces) {
    if (current.length > 0 && size + piece.params.length > MAX_PARAMS) {
      groups.push(current)
      current = []
      size = 0
    }
    current.push(piece)
    size += piece.params.length
  }
  if (current.length > 0) groups.push(current)
  return groups
}

/** One statement of `pieces`, each a data-modifying CTE (run whether read or not), then `last`. */
function statement(pieces: Piece[], last: string): pg.QueryConfig {
  const params: unknown[] = []
  const ctes = pieces.map((piece, index) => {
    const sql = piece.sql(params.length + 1)
    params.push(...piece.params)
    return `p${index} AS (${sql})`
  })
  return { text: `WITH ${ctes.join(', ')} ${last}`, values: params }
}

/** Inserts `rows` as `spec` says, as many per piece as the parameters allow. */
function insertPieces(spec: Insert, given: readonly Row[]): Piece[] {
  if (given.length === 0) return []
  const rows = spec.update.length > 0 ? lastPerKey(given, spec.key) : given
  const width = spec.columns.length
  const perPiece = Math.floor(MAX_PARAMS / width)
  const conflict =
    spec.update.length === 0
      ? 'ON CONFLICT DO NOTHING'
      : `ON CONFLICT (${spec.columns.slice(0, spec.key).join(', ')}) DO UPDATE SET ${spec.update
          .map((name) => `${name} = EXCLUDED.${name}`)
          .join(', ')}`
  const columns = byColumn(rows, width)
  if (columns !== null)
    return [
      {
        sql: (first) =>
          `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) SELECT * FROM ${unnest(columns, first)} ${conflict}`,
        params: columns.map((column) => column.bytes),
      },
    ]
  const pieces: Piece[] = []
  for (let at = 0; at < rows.length; at += perPiece) {
    const part = rows.slice(at, at + perPiece)
    pieces.push({
      sql: (first) =>
        `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES ${placeholders(part.length, width, first)} ${conflict}`,
      params: part.flat(),
    })
  }
  return pieces
}

/**
 * `rows` as one binary array per column (`unnest`): one parameter per column for any number of
 * rows, which PostgreSQL reads much faster than a parameter per value; null when a column's
 * values share no array type.
 */
function byColumn(rows: readonly Row[], width: number): ColumnArray[] | null {
  const columns: ColumnArray[] = []
  for (let column = 0; column < width; column++) {
    const array = columnArray(rows.map((row) => row[column]))
    if (array === null) return null
    columns.push(array)
  }
  return columns
}

/** `unnest($n::TYPE[], …)` of `columns` numbered from `first`. */
function unnest(columns: readonly ColumnArray[], first: number): string {
  return `unnest(${columns.map((column, i) => `$${first + i}::${column.type}[]`).join(', ')})`
}

/** Sets `columns` of the rows keyed (run, id) by each row's first two values. */
function updatePieces(table: string, columns: string[], rows: Row[]): Piece[] {
  if (rows.length === 0) return []
  const width = columns.length + 2
  const unique = lastPerKey(rows, 2)
  const perPiece = Math.floor(MAX_PARAMS / width)
  const names = ['run', 'id', ...columns]
  const arrays = byColumn(unique, width)
  if (arrays !== null)
    return [
      {
        sql: (first) =>
          `UPDATE ${table} AS t SET ${columns.map((name) => `${name} = v.${name}`).join(', ')}
           FROM ${unnest(arrays, first)} AS v (${names.join(', ')})
           WHERE t.run = v.run AND t.id = v.id`,
        params: arrays.map((array) => array.bytes),
      },
    ]
  const pieces: Piece[] = []
  for (let at = 0; at < unique.length; at += perPiece) {
    const part = unique.slice(at, at + perPiece)
    pieces.push({
      sql: (first) =>
        `UPDATE ${table} AS t SET ${columns.map((name) => `${name} = v.${name}::BIGINT`).join(', ')}
         FROM (VALUES ${placeholders(part.length, width, first)}) AS v (${names.join(', ')})
         WHERE t.run = v.run::BIGINT AND t.id = v.id::BIGINT`,
      params: part.flat(),
    })
  }
  return pieces
}

function hitPieces(run: number, hits: Map<number, Map<number, number>>): Piece[] {
  const rows: Row[] = []
  for (const [file, lines] of hits)
    for (const [line, count] of lines) rows.push([run, file, line, count])
  if (rows.length === 0) return []
  return [
    {
      sql: (first) =>
        `INSERT INTO line_hits (run, file, line, hits) SELECT * FROM unnest(${[0, 1, 2, 3].map((i) => `$${first + i}::BIGINT[]`).join(', ')})
         ON CONFLICT (run, file, line) DO UPDATE SET hits = line_hits.hits + EXCLUDED.hits`,
      params: [0, 1, 2, 3].map((column) => int8Array(rows.map((row) => row[column]))),
    },
  ]
}

function profilePieces(run: number, profile: Batch['profile']): Piece[] {
  if (profile === null) return []
  const { functions, calls } = profileRows(profile)
  return [
    {
      sql: (at) =>
        `INSERT INTO profiles (run, functions, calls, data) VALUES ($${at}, $${at + 1}, $${at + 2}, $${at + 3})
         ON CONFLICT (run) DO UPDATE SET functions = EXCLUDED.functions, calls = EXCLUDED.calls,
           data = EXCLUDED.data`,
      params: [run, functions.length, calls.length, encodeProfile(functions, calls)],
    },
  ]
}

/** `($n, $n+1), …` for `count` rows of `width` values, numbered from `first`. */
function placeholders(count: number, width: number, first: number): string {
  const rows: string[] = []
  for (let row = 0, next = first; row < count; row++) {
    const values: string[] = []
    for (let column = 0; column < width; column++) values.push(`$${next++}`)
    rows.push(`(${values.join(', ')})`)
  }
  return rows.join(', ')
}

/** The rows, the last of those that share their first `key` values only (an upsert writes a key once). */
function lastPerKey(rows: readonly Row[], key: number): Row[] {
  const byKey = new Map<string, Row>()
  for (const row of rows) byKey.set(JSON.stringify(row.slice(0, key)), row)
  return byKey.size === rows.length ? [...rows] : [...byKey.values()]
}

/** The columns a thread's and a task's tallies share (ingest/tallies.ts). */
const TALLY_COLUMNS = ['first_seq', 'last_seq', 'first_us', 'last_us', 'events']

function tallied(t: Batch['threadTallies'][number] | Batch['taskTallies'][number]): number[] {
  return [t.firstSeq, t.lastSeq, t.firstUs, t.lastUs, t.events]
}

function byKey(a: Row, b: Row): number {
  return String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0
}
