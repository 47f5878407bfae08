/**
 * A recorder's flush into PostgreSQL: one transaction of multi-row INSERTs (upserts where
 * SQLite replaces a row), the run's event count first, as in SQLite.
 */

import type pg from 'pg'
import { profileRows } from '../../ingest/profile.js'
import { encodeProfile } from '../../db/profile-blob.js'
import type { Batch, Row, SmallTable } from '../batch.js'
import { RunDeleted } from '../errors.js'

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
 * Writes `batch` inside the transaction open on `client` (the caller commits); rejects with
 * RunDeleted when the run is gone.
 */
export async function writeBatch(client: pg.ClientBase, batch: Batch): Promise<void> {
  const { run } = batch
  const counted = await client.query(
    'UPDATE runs SET event_count = $1, lost_events = $2 WHERE id = $3',
    [batch.events, batch.lostEvents, run],
  )
  if (counted.rowCount === 0) throw new RunDeleted()
  for (const [table, spec] of Object.entries(SMALL))
    await insertRows(client, spec, batch.small[table as keyof typeof SMALL])
  await updateRows(
    client,
    'tasks',
    ['awaiter'],
    batch.small.awaits.map(([awaiter, r, id]) => [r, id, awaiter]),
  )
  await insertRows(client, FRAMES, batch.frames.chunks)
  await insertRows(client, FRAME_ENDS, batch.frames.ends)
  await insertRows(client, FRAME_CHILDREN, batch.frames.children)
  const { blocks } = batch
  await insertRows(
    client,
    BLOCKS,
    blocks.blocks.map((row) => row.slice(0, 4)),
  )
  await insertRows(
    client,
    SUMMARIES,
    blocks.blocks.map(([r, first, , , kinds, functions, names, texts]) => [
      r,
      first,
      kinds,
      functions,
      names,
      texts,
    ]),
  )
  await insertRows(client, KEYS.threads, blocks.threads)
  await insertRows(client, KEYS.tasks, blocks.tasks)
  await insertRows(client, KEYS.lines, blocks.lines)
  await insertRows(client, KEYS.frames, blocks.frames)
  await insertRows(client, ACTIVATIONS, batch.activations)
  await writeHits(client, run, batch.hits)
  await updateRows(
    client,
    'threads',
    [...TALLY_COLUMNS, 'locations'],
    batch.threadTallies.map((t) => [run, t.id, ...tallied(t), t.locations]),
  )
  await updateRows(
    client,
    'tasks',
    [...TALLY_COLUMNS, 'first_frame'],
    batch.taskTallies.map((t) => [run, t.id, ...tallied(t), t.firstFrame]),
  )
  if (batch.profile !== null) {
    const { functions, calls } = profileRows(batch.profile)
    await client.query(
      `INSERT INTO profiles (run, functions, calls, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run) DO UPDATE SET functions = EXCLUDED.functions, calls = EXCLUDED.calls,
         data = EXCLUDED.data`,
      [run, functions.length, calls.length, encodeProfile(functions, calls)],
    )
  }
  // Delivered with the commit: a watcher that hears it sees the batch.
  await client.query(`SELECT pg_notify('${RUNS_CHANNEL}', $1)`, [String(run)])
}

/** Inserts `rows` as `spec` says, as many per statement as the parameters allow. */
async function insertRows(
  client: pg.ClientBase,
  spec: Insert,
  given: readonly Row[],
): Promise<void> {
  if (given.length === 0) return
  const rows = spec.update.length > 0 ? lastPerKey(given, spec.key) : given
  const width = spec.columns.length
  const perStatement = Math.floor(MAX_PARAMS / width)
  const conflict =
    spec.update.length === 0
      ? 'ON CONFLICT DO NOTHING'
      : `ON CONFLICT (${spec.columns.slice(0, spec.key).join(', ')}) DO UPDATE SET ${spec.update
          .map((name) => `${name} = EXCLUDED.${name}`)
          .join(', ')}`
  for (let at = 0; at < rows.length; at += perStatement) {
    const part = rows.slice(at, at + perStatement)
    await client.query(
      `INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES ${placeholders(part.length, width)} ${conflict}`,
      part.flat(),
    )
  }
}

/** Sets `columns` of the rows keyed (run, id) by each row's first two values. */
async function updateRows(
  client: pg.ClientBase,
  table: string,
  columns: string[],
  rows: Row[],
): Promise<void> {
  if (rows.length === 0) return
  const width = columns.length + 2
  const unique = lastPerKey(rows, 2)
  const perStatement = Math.floor(MAX_PARAMS / width)
  const names = ['run', 'id', ...columns]
  for (let at = 0; at < unique.length; at += perStatement) {
    const part = unique.slice(at, at + perStatement)
    await client.query(
      `UPDATE ${table} AS t SET ${columns.map((name) => `${name} = v.${name}::BIGINT`).join(', ')}
       FROM (VALUES ${placeholders(part.length, width)}) AS v (${names.join(', ')})
       WHERE t.run = v.run::BIGINT AND t.id = v.id::BIGINT`,
      part.flat(),
    )
  }
}

async function writeHits(
  client: pg.ClientBase,
  run: number,
  hits: Map<number, Map<number, number>>,
): Promise<void> {
  const rows: Row[] = []
  for (const [file, lines] of hits)
    for (const [line, count] of lines) rows.push([run, file, line, count])
  const perStatement = Math.floor(MAX_PARAMS / 4)
  for (let at = 0; at < rows.length; at += perStatement) {
    const part = rows.slice(at, at + perStatement)
    await client.query(
      `INSERT INTO line_hits (run, file, line, hits) VALUES ${placeholders(part.length, 4)}
       ON CONFLICT (run, file, line) DO UPDATE SET hits = line_hits.hits + EXCLUDED.hits`,
      part.flat(),
    )
  }
}

/** `($1, $2), ($3, $4)…` for `count` rows of `width` values. */
function placeholders(count: number, width: number): string {
  const rows: string[] = []
  for (let row = 0, next = 1; row < count; row++) {
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
