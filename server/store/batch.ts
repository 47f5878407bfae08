/**
 * What a recorder's flush hands to the store: every row a run gained since the last flush, in
 * one value, written by the store in one transaction. Built in memory by `RunWriter`; the
 * store neither keeps it nor changes it.
 */

import type { PyDict } from '../../shared/wire/marshal.js'
import type { BlockRows } from '../ingest/event-blocks.js'
import type { FrameRows } from '../ingest/frame-chunks.js'
import type { TaskTally } from '../ingest/task-tallies.js'
import type { ThreadTally } from '../ingest/thread-tallies.js'

/** The small tables, in the order their rows are written. */
export const SMALL_TABLES = [
  'functions',
  'symbols',
  'threads',
  'tasks',
  'awaits',
  'sources',
  'files',
] as const

export type SmallTable = (typeof SMALL_TABLES)[number]

export type Row = unknown[]

export interface Batch {
  /** The run's local key. */
  run: number
  /** The run's event count once this batch is stored. */
  events: number
  /** Events lost on the way, as the forwarder last said. */
  lostEvents: number
  /** Rows of the small tables, in the columns of writer-statements' inserts. */
  small: Record<SmallTable, Row[]>
  frames: FrameRows
  blocks: BlockRows
  /** run, frame, seq, parent, parent_line */
  activations: Row[]
  /** Executions per line since the last batch, by file. */
  hits: Map<number, Map<number, number>>
  threadTallies: readonly ThreadTally[]
  taskTallies: readonly TaskTally[]
  /** cProfile's stats, when the program's profile arrived since the last batch. */
  profile: PyDict | null
}
