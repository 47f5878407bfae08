/**
 * Reading frames back from their chunks (see frame-chunk.ts): one frame by id, or the calls
 * one frame made, in order. Ends written after a chunk (`frame_ends`) are laid over it; the
 * chunks read last stay decoded until they are written again.
 */

import type { Db } from './database.js'
import { decodeChunk, scanChunk, type FrameRecord } from './frame-chunk.js'
import { RecentlyUsed } from './recently-used.js'

class Chunk {
  private index: Map<number, FrameRecord> | null = null

  constructor(
    readonly firstId: number,
    readonly revision: number,
    /** In the order of their calls. */
    readonly frames: FrameRecord[],
  ) {}

  /** Frame `id`, if this chunk holds it. */
  get(id: number): FrameRecord | undefined {
    // Ids mostly follow one another: look where the id says first.
    const guess = this.frames[id - this.firstId]
    if (guess?.id === id) return guess
    this.index ??= new Map(this.frames.map((frame) => [frame.id, frame]))
    return this.index.get(id)
  }
}

/** A chunk, by its first frame id, with the lowest and highest ids it holds. */
interface ChunkBounds {
  first: number
  minId: number
  maxId: number
}

const CACHED_CHUNKS = 64
/** A frame whose call came late is at most this many frames after its place. */
const LATE_WINDOW = 64 * 1024

const stores = new WeakMap<Db, FrameStore>()

export class FrameStore {
  /** The store reading through connection `db`. */
  static of(db: Db): FrameStore {
    let store = stores.get(db)
    if (store === undefined) stores.set(db, (store = new FrameStore(db)))
    return store
  }

  private readonly cache = new RecentlyUsed<Chunk>(CACHED_CHUNKS)
  private readonly statements

  private constructor(db: Db) {
    this.statements = {
      place: db
        .prepare(
          'SELECT first_id FROM frames WHERE run = ? AND first_id <= ? ORDER BY first_id DESC LIMIT 1',
        )
        .pluck(),
      late: db
        .prepare(
          'SELECT first_id FROM frames WHERE run = ? AND first_id > ? AND first_id <= ? AND min_id <= ? ORDER BY first_id',
        )
        .pluck(),
      revision: db.prepare('SELECT revision FROM frames WHERE run = ? AND first_id = ?').pluck(),
      bounds: db.prepare(
        'SELECT first_id AS first, min_id AS minId, max_id AS maxId FROM frames WHERE run = ? AND first_id = ?',
      ),
      data: db.prepare('SELECT data FROM frames WHERE run = ? AND first_id = ?').pluck(),
      ends: db.prepare(
        'SELECT id, end_seq AS endSeq, end_us AS endUs, children FROM frame_ends WHERE run = ? AND id = ?',
      ),
      endsBetween: db.prepare(
        `SELECT id, end_seq AS endSeq, end_us AS endUs, children FROM frame_ends
         WHERE run = ? AND id >= ? AND id <= ?`,
      ),
      childChunks: db.prepare(
        `SELECT c.chunk AS first, f.min_id AS minId, f.max_id AS maxId
         FROM frame_children c JOIN frames f ON f.run = c.run AND f.first_id = c.chunk
         WHERE c.run = ? AND c.parent = ?`,
      ),
    }
  }

  /** Frame `id`, or undefined when the run has none. */
  frame(run: number, id: number): FrameRecord | undefined {
    const found = this.locate(run, id)?.get(id)
    if (found === undefined) return undefined
    const end = this.statements.ends.get(run, id) as Partial<FrameRecord> | undefined
    return end === undefined ? found : { ...found, ...end }
  }

  /**
   * The calls frame `parent` made (0: the frames with no recorded caller), in the order they
   * were made: from frame id `from` on (forward), or from `from` back (backward).
   */
  *children(
    run: number,
    parent: number,
    from = 0,
    direction: 'forward' | 'backward' = 'forward',
  ): Generator<FrameRecord> {
    const forward = direction === 'forward'
    const chunks = this.childChunks(run, parent)
    // Chunks wholly before `from` (or after, backward) are not read.
    chunks.sort((a, b) => (forward ? a.first - b.first : b.first - a.first))
    const read = chunks.filter((chunk) => (forward ? chunk.maxId >= from : chunk.minId <= from))
    const wanted = (frame: FrameRecord) =>
      frame.parent === parent && (forward ? frame.id >= from : frame.id <= from)
    const byId = (a: FrameRecord, b: FrameRecord) => (forward ? a.id - b.id : b.id - a.id)
    // A call that came late sits in a later chunk than its id says: then every call is read
    // first, and put in order.
    if (read.some((chunk) => chunk.minId < chunk.first)) {
      const all = read.flatMap((chunk) => this.callsIn(run, chunk.first, wanted))
      yield* all.sort(byId)
      return
    }
    for (const chunk of read) yield* this.callsIn(run, chunk.first, wanted).sort(byId)
  }

  /**
   * Calls `visit` with each call frame `parent` made, in no set order, in one record that is
   * reused (see scanChunk): for a frame that made a million calls, nothing is kept but what
   * `visit` keeps.
   */
  forEachChild(run: number, parent: number, visit: (frame: FrameRecord) => void): void {
    for (const chunk of this.childChunks(run, parent)) {
      const ends = this.statements.endsBetween.all(run, chunk.minId, chunk.maxId) as Array<
        Partial<FrameRecord> & { id: number }
      >
      const later = new Map(ends.map(({ id, ...end }) => [id, end]))
      scanChunk(this.statements.data.get(run, chunk.first) as Buffer, (frame) => {
        if (frame.parent !== parent) return
        const end = later.get(frame.id)
        visit(end === undefined ? frame : Object.assign(frame, end))
      })
    }
  }

  /** The frames of chunk `first` that `wanted` accepts, with their later ends. */
  private callsIn(run: number, first: number, wanted: (frame: FrameRecord) => boolean) {
    const calls = this.chunk(run, first)?.frames.filter(wanted) ?? []
    if (calls.length === 0) return calls
    const ends = this.endsOf(run, calls)
    return calls.map((call) => {
      const end = ends.get(call.id)
      return end === undefined ? call : { ...call, ...end }
    })
  }

  /** The chunks holding calls frame `parent` made: its own, and those frame_children names. */
  private childChunks(run: number, parent: number): ChunkBounds[] {
    const chunks = this.statements.childChunks.all(run, parent) as ChunkBounds[]
    const own = parent === 0 ? undefined : this.locate(run, parent)
    if (own !== undefined && !chunks.some((chunk) => chunk.first === own.firstId))
      chunks.push(this.statements.bounds.get(run, own.firstId) as ChunkBounds)
    return chunks
  }

  /** The chunk holding frame `id`: where its id puts it, or a little later when its call came late. */
  private locate(run: number, id: number): Chunk | undefined {
    const first = this.statements.place.get(run, id) as number | undefined
    if (first === undefined) return undefined
    const chunk = this.chunk(run, first)
    if (chunk?.get(id) !== undefined) return chunk
    const later = this.statements.late.iterate(run, first, id + LATE_WINDOW, id)
    for (const other of later as IterableIterator<number>) {
      const candidate = this.chunk(run, other)
      if (candidate?.get(id) !== undefined) return candidate
    }
    return undefined
  }

  /** The later ends of `frames` (one chunk's), by id. */
  private endsOf(run: number, frames: FrameRecord[]): Map<number, Partial<FrameRecord>> {
    let least = frames[0]!.id
    let most = least
    for (const { id } of frames) {
      if (id < least) least = id
      if (id > most) most = id
    }
    const rows = this.statements.endsBetween.all(run, least, most) as Array<
      Partial<FrameRecord> & { id: number }
    >
    return new Map(rows.map(({ id, ...end }) => [id, end]))
  }

  private chunk(run: number, firstId: number): Chunk | undefined {
    const revision = this.statements.revision.get(run, firstId) as number | undefined
    if (revision === undefined) return undefined
    return this.cache.get(
      `${run}:${firstId}`,
      (chunk) => chunk.revision === revision,
      () =>
        new Chunk(firstId, revision, decodeChunk(this.statements.data.get(run, firstId) as Buffer)),
    )
  }
}
