/** The statements a RunWriter writes a run with, and the order of its small tables. */

import type { Statement } from 'better-sqlite3'
import type { Db } from '../db/database.js'
import type { BlockRows } from './event-blocks.js'
import type { FrameRows } from './frame-chunks.js'
import { SMALL_TABLES, type SmallTable } from '../store/batch.js'

/** The small tables, in the order their rows are written. */
export const PENDING_ORDER = SMALL_TABLES

export type PendingTable = SmallTable

export type WriterStatements = Record<
  | PendingTable
  | 'blocks'
  | 'summaries'
  | 'frames'
  | 'frameEnds'
  | 'hits'
  | 'tally'
  | 'taskTally'
  | 'count',
  Statement
> &
  Record<
    'frameChildren' | 'threadBlocks' | 'taskBlocks' | 'lineBlocks' | 'frameBlocks' | 'activations',
    ManyRows
  >

/** An insert of one row, and of ROWS_PER_INSERT rows at once: binding is cheaper than stepping. */
export interface ManyRows {
  one: Statement
  many: Statement
  /** The parameters of `many`, refilled for each use. */
  values: unknown[]
}

const ROWS_PER_INSERT = 64

/** Prepared once per connection: a test session starts a writer for each of its tests. */
const prepared = new WeakMap<Db, WriterStatements>()

export function prepareWriterStatements(db: Db): WriterStatements {
  let statements = prepared.get(db)
  if (statements === undefined) prepared.set(db, (statements = prepare(db)))
  return statements
}

function prepare(db: Db): WriterStatements {
  return {
    blocks: db.prepare(
      'INSERT OR REPLACE INTO event_blocks (run, first_seq, last_seq, data) VALUES (?, ?, ?, ?)',
    ),
    summaries: db.prepare(
      'INSERT OR REPLACE INTO block_summaries (run, block, kinds, functions, names, texts) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    threadBlocks: prepareMany(db, 'INSERT OR IGNORE INTO thread_blocks (run, thread, block)', 3),
    taskBlocks: prepareMany(db, 'INSERT OR IGNORE INTO task_blocks (run, task, block)', 3),
    lineBlocks: prepareMany(db, 'INSERT OR IGNORE INTO line_blocks (run, file, line, block)', 4),
    frameBlocks: prepareMany(
      db,
      'INSERT OR IGNORE INTO frame_blocks (run, frame, block, locals)',
      4,
    ),
    functions: db.prepare(
      'INSERT OR IGNORE INTO functions (run, id, file, name, qualified_name, first_line) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    symbols: db.prepare('INSERT OR IGNORE INTO symbols (run, id, text) VALUES (?, ?, ?)'),
    threads: db.prepare(
      'INSERT OR REPLACE INTO threads (run, id, ident, name) VALUES (?, ?, ?, ?)',
    ),
    tasks: db.prepare('INSERT OR REPLACE INTO tasks (run, id, name, thread) VALUES (?, ?, ?, ?)'),
    awaits: db.prepare('UPDATE tasks SET awaiter = ? WHERE run = ? AND id = ?'),
    sources: db.prepare('INSERT OR IGNORE INTO sources (hash, text) VALUES (?, ?)'),
    files: db.prepare(
      'INSERT OR REPLACE INTO files (run, id, path, source_hash) VALUES (?, ?, ?, ?)',
    ),
    frames: db.prepare(
      'INSERT OR REPLACE INTO frames (run, first_id, min_id, max_id, count, revision, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    frameEnds: db.prepare(
      'INSERT OR REPLACE INTO frame_ends (run, id, end_seq, end_us, children) VALUES (?, ?, ?, ?, ?)',
    ),
    frameChildren: prepareMany(db, 'INSERT OR IGNORE INTO frame_children (run, parent, chunk)', 3),
    activations: prepareMany(
      db,
      'INSERT OR REPLACE INTO activations (run, frame, seq, parent, parent_line)',
      5,
    ),
    hits: db.prepare(
      `INSERT INTO line_hits (run, file, line, hits) VALUES (?, ?, ?, ?)
       ON CONFLICT (run, file, line) DO UPDATE SET hits = hits + excluded.hits`,
    ),
    tally: db.prepare(
      `UPDATE threads SET first_seq = ?, last_seq = ?, first_us = ?, last_us = ?, events = ?, locations = ?
       WHERE run = ? AND id = ?`,
    ),
    taskTally: db.prepare(
      `UPDATE tasks SET first_seq = ?, last_seq = ?, first_us = ?, last_us = ?, events = ?,
         first_frame = ? WHERE run = ? AND id = ?`,
    ),
    count: db.prepare('UPDATE runs SET event_count = ?, lost_events = ? WHERE id = ?'),
  }
}

/** Writes event blocks (again, for one still open) and the keys that find them. */
export function writeBlocks(statements: WriterStatements, rows: BlockRows): void {
  for (const [run, first, last, data, kinds, functions, names, texts] of rows.blocks) {
    statements.blocks.run(run, first, last, data)
    statements.summaries.run(run, first, kinds, functions, names, texts)
  }
  insertMany(statements.threadBlocks, rows.threads)
  insertMany(statements.taskBlocks, rows.tasks)
  insertMany(statements.lineBlocks, rows.lines)
  insertMany(statements.frameBlocks, rows.frames)
}

function prepareMany(db: Db, insert: string, width: number): ManyRows {
  const row = `(${Array(width).fill('?').join(', ')})`
  return {
    one: db.prepare(`${insert} VALUES ${row}`),
    many: db.prepare(`${insert} VALUES ${Array(ROWS_PER_INSERT).fill(row).join(', ')}`),
    values: new Array<unknown>(ROWS_PER_INSERT * width),
  }
}

/** Writes the rows of one of the small tables. */
export function writePending(statements: WriterStatements, table: PendingTable, rows: unknown[][]) {
  for (const row of rows) statements[table].run(row)
}

/** Writes frame chunks (again, for those still open), later ends, and where calls are. */
export function writeFrames(statements: WriterStatements, rows: FrameRows): void {
  for (const row of rows.chunks) statements.frames.run(row)
  for (const row of rows.ends) statements.frameEnds.run(row)
  insertMany(statements.frameChildren, rows.children)
}

/** Writes where generators were resumed. */
export function writeActivations(statements: WriterStatements, rows: unknown[][]): void {
  insertMany(statements.activations, rows)
}

/** Inserts `rows`, ROWS_PER_INSERT at a time. */
function insertMany(statements: ManyRows, rows: unknown[][]): void {
  const { values } = statements
  let at = 0
  for (; at + ROWS_PER_INSERT <= rows.length; at += ROWS_PER_INSERT) {
    let next = 0
    for (let row = at; row < at + ROWS_PER_INSERT; row++)
      for (const value of rows[row]!) values[next++] = value
    statements.many.run(values)
  }
  for (; at < rows.length; at++) statements.one.run(rows[at])
}
