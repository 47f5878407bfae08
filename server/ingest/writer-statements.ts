/** The statements a RunWriter writes a run with, and the order of its small tables. */

import type { Statement } from 'better-sqlite3'
import type { Db } from '../db/database.js'

/** Events are inserted this many rows per statement: binding is cheaper than stepping. */
export const ROWS_PER_INSERT = 64
export const EVENT_COLUMNS = [
  'run',
  'seq',
  'kind',
  'thread',
  'frame',
  'depth',
  'line',
  'us',
  'locals',
  'value_type',
  'value',
]
/** Frames are inserted before their ends are recorded. */
export const PENDING_ORDER = [
  'functions',
  'symbols',
  'threads',
  'sources',
  'files',
  'frames',
  'frameEnds',
] as const

export type PendingTable = (typeof PENDING_ORDER)[number]

export type WriterStatements = Record<
  PendingTable | 'events' | 'manyEvents' | 'hits' | 'tally' | 'count' | 'activations' | 'snapshots',
  Statement
>

export function prepareWriterStatements(db: Db): WriterStatements {
  return {
    events: db.prepare(insertEvents(1)),
    manyEvents: db.prepare(insertEvents(ROWS_PER_INSERT)),
    functions: db.prepare(
      'INSERT OR IGNORE INTO functions (run, id, file, name, qualified_name, first_line) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    symbols: db.prepare('INSERT OR IGNORE INTO symbols (run, id, text) VALUES (?, ?, ?)'),
    threads: db.prepare(
      'INSERT OR REPLACE INTO threads (run, id, ident, name) VALUES (?, ?, ?, ?)',
    ),
    sources: db.prepare('INSERT OR IGNORE INTO sources (hash, text) VALUES (?, ?)'),
    files: db.prepare(
      'INSERT OR REPLACE INTO files (run, id, path, source_hash) VALUES (?, ?, ?, ?)',
    ),
    frames: db.prepare(
      'INSERT OR REPLACE INTO frames (run, id, parent, function, thread, depth, call_seq, call_us, end_seq, end_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    frameEnds: db.prepare('UPDATE frames SET end_seq = ?, end_us = ? WHERE run = ? AND id = ?'),
    activations: db.prepare(
      'INSERT OR REPLACE INTO activations (run, frame, seq, parent, parent_line) VALUES (?, ?, ?, ?, ?)',
    ),
    snapshots: db.prepare(
      'INSERT OR REPLACE INTO snapshots (run, frame, seq, locals) VALUES (?, ?, ?, ?)',
    ),
    hits: db.prepare(
      `INSERT INTO line_hits (run, file, line, hits) VALUES (?, ?, ?, ?)
       ON CONFLICT (run, file, line) DO UPDATE SET hits = hits + excluded.hits`,
    ),
    tally: db.prepare(
      `UPDATE threads SET first_seq = ?, last_seq = ?, first_us = ?, last_us = ?, events = ?, locations = ?
       WHERE run = ? AND id = ?`,
    ),
    count: db.prepare('UPDATE runs SET event_count = ?, lost_events = ? WHERE id = ?'),
  }
}

function insertEvents(rows: number): string {
  const row = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`
  return `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES ${Array(rows).fill(row).join(', ')}`
}
