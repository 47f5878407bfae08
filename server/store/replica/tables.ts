/**
 * What copying a run moves, table by table: the columns (those of schema.sql, which
 * PostgreSQL's schema mirrors), the key a copy pages by, and how a copy brought up to date
 * finds the rows that may have changed since the last one.
 */

/**
 * How a table's rows are found again when a copy is brought up to date:
 * - `blocks`: rows of the blocks from the last block copied on (`bound` holds a block's first seq);
 * - `frames`: frame chunks from the second-last chunk copied on (the recorder rewrites only
 *   the last two, frame-chunks.ts);
 * - `whole`: small tables, replaced whole.
 */
export type Growth = 'blocks' | 'frames' | 'whole'

export interface TableCopy {
  name: string
  /** Every column but `run`, in schema order. */
  columns: readonly string[]
  /** The columns that order and page the run's rows (a unique key, or all columns). */
  key: readonly string[]
  growth: Growth
  /** The column `growth` bounds (for `blocks` and `frames`). */
  bound?: string
  /** Rows read per page: fewer for rows that carry blobs, so a page stays a few megabytes. */
  page: number
}

const ROWS = 5000
const BLOBS = 200

function table(
  name: string,
  columns: string,
  key: string,
  growth: Growth,
  page = ROWS,
  bound?: string,
): TableCopy {
  const split = (text: string) => text.split(',').map((c) => c.trim())
  return {
    name,
    columns: split(columns),
    key: split(key),
    growth,
    page,
    ...(bound ? { bound } : {}),
  }
}

/** The run's row: every column of `runs` but its local key. */
export const RUN_COLUMNS: readonly string[] = [
  'uuid',
  'description',
  'argv',
  'cwd',
  'python',
  'python_version',
  'host',
  'pid',
  'backend',
  'started_at',
  'ended_at',
  'status',
  'exit_code',
  'signal',
  'error_type',
  'error_message',
  'traceback',
  'notice',
  'event_count',
  'lost_events',
  'options',
  'recorder_host',
  'recorder_pid',
  'heartbeat_at',
  'parent_run',
  'started_by',
  'parent_pid',
]

/** Every table holding rows of one run (tests check it against schema.sql). */
export const RUN_TABLES: readonly TableCopy[] = [
  table('event_blocks', 'first_seq, last_seq, data', 'first_seq', 'blocks', BLOBS, 'first_seq'),
  table(
    'block_summaries',
    'block, kinds, functions, names, texts',
    'block',
    'blocks',
    BLOBS,
    'block',
  ),
  table('thread_blocks', 'thread, block', 'thread, block', 'blocks', ROWS, 'block'),
  table('task_blocks', 'task, block', 'task, block', 'blocks', ROWS, 'block'),
  table('line_blocks', 'file, line, block', 'file, line, block', 'blocks', ROWS, 'block'),
  table('frame_blocks', 'frame, block, locals', 'frame, block', 'blocks', 1000, 'block'),
  // An activation is written with the events up to its seq: none before the last block copied.
  table('activations', 'frame, seq, parent, parent_line', 'frame, seq', 'blocks', ROWS, 'seq'),
  table(
    'frames',
    'first_id, min_id, max_id, count, revision, data',
    'first_id',
    'frames',
    BLOBS,
    'first_id',
  ),
  table('frame_ends', 'id, end_seq, end_us, children', 'id', 'whole'),
  table('frame_children', 'parent, chunk', 'parent, chunk', 'whole'),
  table('files', 'id, path, source_hash', 'id', 'whole'),
  table('functions', 'id, file, name, qualified_name, first_line', 'id', 'whole'),
  table('symbols', 'id, text', 'id', 'whole'),
  table(
    'threads',
    'id, ident, name, first_seq, last_seq, first_us, last_us, events, locations',
    'id',
    'whole',
  ),
  table(
    'tasks',
    'id, name, thread, awaiter, first_frame, first_seq, last_seq, first_us, last_us, events',
    'id',
    'whole',
  ),
  table('line_hits', 'file, line, hits', 'file, line', 'whole'),
  table('child_starts', 'pid, seq, at', 'pid, seq, at', 'whole'),
  table(
    'tests',
    'position, name, test_run, started_at, outcome, duration, events',
    'position',
    'whole',
  ),
  table('test_packs', 'pack, data', 'pack', 'whole', BLOBS),
  table('profiles', 'functions, calls, data', 'functions', 'whole', 1),
  table(
    'call_index',
    'thread, task, depth, events, count, start_us, end_us, data',
    'thread, task, depth',
    'whole',
    BLOBS,
  ),
  table('call_overview', 'events, start_us, end_us, calls, data', 'events', 'whole', 1),
]
