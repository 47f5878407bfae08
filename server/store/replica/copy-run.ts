/**
 * Copying one run from a source to a sink, a page of rows at a time (never the whole run in
 * memory): whole, or brought up to date from where an earlier copy stopped. The source is one
 * snapshot, so the run's event count and its events agree; the sink one transaction, so a copy
 * that fails leaves nothing behind.
 */

import { RunNotFound } from '../../db/runs.js'
import { keyOf, type Record, type RunSink, type RunSource } from './run-io.js'
import { RUN_TABLES, type TableCopy } from './tables.js'

/** Where an earlier copy stopped: its last block's first seq, its second-last frame chunk's first id. */
export interface CopyMark {
  block: number
  frames: number
}

export interface CopiedRun {
  uuid: string
  /** Whether anything was written: false when the sink had the run and no `mark` was given. */
  copied: boolean
  /** The run's key in the sink. */
  key: number
  /** The run's row as copied (its key in the source as `id`). */
  row: Record
  events: number
  /** Bytes of the rows copied (blobs by their length, other values roughly). */
  bytes: number
  /** Where this copy stopped, to bring it up to date later. */
  mark: CopyMark
}

export interface CopyOptions {
  /** The key the run takes in the sink; by default the sink gives it a new one. */
  key?: number
  /** Bring up to date a copy that stopped here, rather than copying the run whole. */
  mark?: CopyMark
}

/**
 * Copies the run `uuid` from `source` into `sink`. Without `mark`, a run the sink already has
 * is left alone (`copied: false`); throws RunNotFound when the source does not have it.
 */
export async function copyRun(
  source: RunSource,
  sink: RunSink,
  uuid: string,
  options: CopyOptions = {},
): Promise<CopiedRun> {
  const row = await source.runRow(uuid)
  if (row === undefined) throw new RunNotFound(`no run with id ${uuid} in the source`)
  const events = Number(row['event_count'])
  const { mark } = options
  if (mark === undefined) {
    const present = await sink.runKey(uuid)
    if (present !== null)
      return {
        uuid,
        copied: false,
        key: present,
        row,
        events,
        bytes: 0,
        mark: { block: 0, frames: 0 },
      }
  }
  const from = Number(row['id'])
  const key = await sink.putRun(row, options.key ?? null)
  let bytes = 0
  let lastBlock = mark?.block ?? 0
  const chunks: number[] = []
  const hashes = new Set<string>()
  for (const table of RUN_TABLES) {
    const since = mark === undefined ? null : sinceOf(table, mark)
    if (mark !== undefined && table.growth === 'whole') await sink.clear(table, key)
    for (let after: unknown[] | null = null; ;) {
      const rows = await source.page(table, from, since, after)
      if (rows.length === 0) break
      await sink.insert(table, key, rows)
      bytes += sizeOf(rows)
      if (table.name === 'event_blocks') lastBlock = Math.max(lastBlock, Number(rows.at(-1)![0]))
      if (table.name === 'frames') for (const r of rows) chunks.push(Number(r[0]))
      if (table.name === 'files')
        for (const r of rows) if (typeof r[2] === 'string') hashes.add(r[2])
      if (rows.length < table.page) break
      after = keyOf(table, rows.at(-1)!)
    }
  }
  const missing = await sink.missingSources([...hashes])
  if (missing.length > 0) await sink.putSources(await source.sources(missing))
  chunks.sort((a, b) => a - b)
  const frames = chunks.length >= 2 ? chunks.at(-2)! : (chunks[0] ?? mark?.frames ?? 0)
  return { uuid, copied: true, key, row, events, bytes, mark: { block: lastBlock, frames } }
}

function sinceOf(table: TableCopy, mark: CopyMark): number | null {
  if (table.growth === 'blocks') return mark.block
  if (table.growth === 'frames') return mark.frames
  return null
}

function sizeOf(rows: unknown[][]): number {
  let bytes = 0
  for (const row of rows)
    for (const value of row)
      bytes += Buffer.isBuffer(value) ? value.length : typeof value === 'string' ? value.length : 8
  return bytes
}
