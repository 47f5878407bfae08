/** Frames in chunks: written as a program makes them, read back by id and by caller, in a real database. */

import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../server/db/database.js'
import { BlobError } from '../../server/db/bytes.js'
import { decodeChunk, encodeChunk, type FrameRecord } from '../../server/db/frame-chunk.js'
import { FrameStore } from '../../server/db/frame-store.js'
import { FRAME_CHUNK, FrameChunks } from '../../server/ingest/frame-chunks.js'
import { prepareWriterStatements, writeFrames } from '../../server/ingest/writer-statements.js'
import { tempDir } from '../support/cli.js'

let dir: { path: string; remove: () => void }
let db: Db
beforeEach(() => {
  dir = tempDir()
  db = openDatabase(join(dir.path, 'frames.db'), { create: true })
})
afterEach(() => {
  db.close()
  dir.remove()
})

const RUN = 1

/** A program's frames as the recorder sees them, written to the database at each `flush`. */
class Program {
  readonly chunks = new FrameChunks(RUN)
  private readonly statements = prepareWriterStatements(db)
  seq = 0

  call(id: number, parent: number, fn = 1): void {
    this.seq += 1
    this.chunks.begin({
      id,
      parent,
      function: fn,
      thread: 1,
      depth: 0,
      callSeq: this.seq,
      callUs: this.seq * 10,
      endSeq: null,
      endUs: null,
      children: 0,
    })
  }

  end(id: number): void {
    this.seq += 1
    this.chunks.end(id, this.seq, this.seq * 10)
  }

  flush(): void {
    writeFrames(this.statements, this.chunks.pending())
    this.chunks.written()
  }
}

const frames = () => FrameStore.of(db)
const ids = (records: Iterable<FrameRecord>) => [...records].map((record) => record.id)

describe('a frame chunk', () => {
  it('gives back every field, and refuses a blob of another format or cut short', () => {
    const records: FrameRecord[] = [
      {
        id: 7,
        parent: 0,
        function: 3,
        thread: 1,
        depth: 0,
        callSeq: 1,
        callUs: 0,
        endSeq: 90,
        endUs: 1_000_000_000_000,
        children: 2,
      },
      {
        id: 8,
        parent: 7,
        function: 4,
        thread: 2,
        depth: 1,
        callSeq: 2,
        callUs: 5,
        endSeq: null,
        endUs: null,
        children: 0,
      },
      {
        id: 6,
        parent: 8,
        function: 4,
        thread: 2,
        depth: 2,
        callSeq: 4,
        callUs: 3,
        endSeq: 5,
        endUs: 3,
        children: 0,
      },
    ]
    const data = encodeChunk(records)
    expect(decodeChunk(data)).toEqual(records)
    expect(() => decodeChunk(Buffer.from([2]))).toThrow(BlobError)
    expect(() => decodeChunk(data.subarray(0, data.length - 1))).toThrow(BlobError)
  })
})

describe('frames written in chunks', () => {
  it('lists a long call’s calls across chunks, in order, with a key row per chunk, not per call', () => {
    const program = new Program()
    program.call(1, 0)
    const calls = FRAME_CHUNK * 3
    for (let id = 2; id < calls + 2; id++) {
      program.call(id, 1, 2 + (id % 2))
      program.end(id)
      if (id % 500 === 0) program.flush()
    }
    program.flush()
    expect(ids(frames().children(RUN, 1))).toEqual(Array.from({ length: calls }, (_, i) => i + 2))
    expect(ids(frames().children(RUN, 1, 100, 'backward')).slice(0, 3)).toEqual([100, 99, 98])
    expect(ids(frames().children(RUN, 0))).toEqual([1])
    const keys = db.prepare('SELECT count(*) FROM frame_children WHERE parent = 1').pluck().get()
    expect(keys).toBe(3)
    expect(frames().frame(RUN, 1)).toMatchObject({ endSeq: null, children: calls })
    expect(frames().frame(RUN, 2000)).toMatchObject({
      parent: 1,
      function: 2,
      callSeq: 3998,
      endSeq: 3999,
    })
  })

  it('lays an end that came after its chunk closed over the chunk, and counts calls while it runs', () => {
    const program = new Program()
    program.call(1, 0)
    program.call(2, 1)
    for (let id = 3; id < FRAME_CHUNK * 3; id++) {
      program.call(id, 0)
      program.end(id)
    }
    program.flush()
    // Frame 2's chunk is closed: it is still running, with the calls it made so far.
    expect(frames().frame(RUN, 2)).toMatchObject({ endSeq: null, children: 0 })
    program.call(FRAME_CHUNK * 3, 2)
    program.flush()
    expect(frames().frame(RUN, 2)).toMatchObject({ endSeq: null, children: 1 })
    program.end(FRAME_CHUNK * 3)
    program.end(2)
    program.flush()
    expect(frames().frame(RUN, 2)).toMatchObject({ endSeq: program.seq, children: 1 })
    expect(ids(frames().children(RUN, 2))).toEqual([FRAME_CHUNK * 3])
    expect(db.prepare('SELECT count(*) FROM frame_ends').pluck().get()).toBe(1)
  })

  it('finds a frame whose call came after later frames', () => {
    const program = new Program()
    program.call(1, 0)
    const late = 5
    for (let id = 2; id < FRAME_CHUNK * 3; id++) {
      if (id === late) continue
      program.call(id, 1)
      program.end(id)
    }
    program.call(late, 1)
    program.flush()
    expect(frames().frame(RUN, late)).toMatchObject({ id: late, parent: 1, endSeq: null })
    expect(ids(frames().children(RUN, 1)).slice(0, 5)).toEqual([2, 3, 4, 5, 6])
    expect(frames().frame(RUN, FRAME_CHUNK * 10)).toBeUndefined()
  })

  it('keeps everything to write when a write fails, and writes it at the next', () => {
    const program = new Program()
    program.call(1, 0)
    program.call(2, 1)
    const failing = program.chunks.pending()
    expect(failing.chunks).toHaveLength(1)
    program.end(2)
    program.flush()
    expect(frames().frame(RUN, 2)).toMatchObject({ parent: 1, endSeq: 3 })
  })
})
