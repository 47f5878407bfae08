/**
 * Keeps a run's frames in chunks (see db/frame-chunk.ts) as they begin and end, and notes
 * what finds them again: for each frame, the chunks other than its own that hold calls it
 * made (`frame_children`).
 *
 * The last two chunks stay open: each flush writes them again while their frames change, so
 * most frames have returned, and their ends are in their chunk, before it is closed. A frame
 * still running when its chunk closes has its end, and the count of its calls while it runs,
 * in `frame_ends`.
 */

import type { FrameRecord } from '../db/frame-chunk.js'
import { encodeChunk } from '../db/frame-chunk.js'

/** Frames per chunk. */
export const FRAME_CHUNK = 1024

type Row = unknown[]

interface Chunk {
  firstId: number
  records: FrameRecord[]
  /** Written again at the next flush. */
  changed: boolean
  /** Times written so far: readers cache a chunk until this changes. */
  revision: number
  /** Parents already noted as having calls in this chunk. */
  parents: Set<number>
  closed: boolean
}

export interface FrameRows {
  chunks: Row[]
  ends: Row[]
  children: Row[]
}

export class FrameChunks {
  private previous: Chunk | null = null
  private current: Chunk | null = null
  /** Frames that have not returned, with their chunk. */
  private readonly live = new Map<number, { record: FrameRecord; chunk: Chunk }>()
  /** Live frames of closed chunks whose calls or end changed since the last write. */
  private readonly changedEnds = new Set<FrameRecord>()
  private rows: FrameRows = { chunks: [], ends: [], children: [] }

  constructor(private readonly run: number) {}

  /** A new activation. */
  begin(record: FrameRecord): void {
    let chunk = this.current
    if (chunk === null || chunk.records.length >= FRAME_CHUNK) {
      if (this.previous !== null) this.close(this.previous)
      this.previous = chunk
      chunk = this.current = {
        firstId: record.id,
        records: [],
        changed: false,
        revision: 0,
        parents: new Set(),
        closed: false,
      }
    }
    chunk.records.push(record)
    chunk.changed = true
    this.live.set(record.id, { record, chunk })
    const parent = record.parent === 0 ? undefined : this.live.get(record.parent)
    if (parent !== undefined) {
      parent.record.children += 1
      this.touch(parent.record, parent.chunk)
    }
    if (parent?.chunk !== chunk && !chunk.parents.has(record.parent)) {
      chunk.parents.add(record.parent)
      this.rows.children.push([this.run, record.parent, chunk.firstId])
    }
  }

  /** The frame returned for good. */
  end(id: number, endSeq: number, endUs: number): void {
    const live = this.live.get(id)
    if (live === undefined) return
    this.live.delete(id)
    live.record.endSeq = endSeq
    live.record.endUs = endUs
    this.touch(live.record, live.chunk)
  }

  /** What to write; it stays to write until `written` says it is stored. */
  pending(): FrameRows {
    const chunks = [...this.rows.chunks]
    for (const chunk of [this.previous, this.current])
      if (chunk !== null && chunk.changed) chunks.push(this.chunkRow(chunk))
    const ends = [...this.rows.ends]
    for (const record of this.changedEnds)
      ends.push([this.run, record.id, record.endSeq, record.endUs, record.children])
    return { chunks, ends, children: this.rows.children }
  }

  /** What `pending` gave is stored (or no longer wanted). */
  written(): void {
    for (const chunk of [this.previous, this.current]) {
      if (chunk === null || !chunk.changed) continue
      chunk.changed = false
      chunk.revision += 1
    }
    this.changedEnds.clear()
    this.rows = { chunks: [], ends: [], children: [] }
  }

  private touch(record: FrameRecord, chunk: Chunk): void {
    if (chunk.closed) this.changedEnds.add(record)
    else chunk.changed = true
  }

  private close(chunk: Chunk): void {
    if (chunk.changed) {
      this.rows.chunks.push(this.chunkRow(chunk))
      chunk.revision += 1
    }
    chunk.closed = true
    chunk.parents.clear()
    // Its live frames are held by `live`; the rest are written.
    chunk.records = []
  }

  private chunkRow(chunk: Chunk): Row {
    let least = chunk.firstId
    let most = chunk.firstId
    for (const { id } of chunk.records) {
      if (id < least) least = id
      if (id > most) most = id
    }
    const { records, revision } = chunk
    return [
      this.run,
      chunk.firstId,
      least,
      most,
      records.length,
      revision + 1,
      encodeChunk(records),
    ]
  }
}
