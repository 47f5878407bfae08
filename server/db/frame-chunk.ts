/**
 * A frame chunk: the frames (function activations) of one run, up to FRAME_CHUNK of them in
 * the order of their calls, as one row of `frames`. Like event blocks (event-block.ts), a
 * chunk costs SQLite one insert where a row per frame cost two B-tree inserts, and a program
 * makes a frame every three or four events.
 *
 *   chunk   := format:u8 frame*
 *   frame   := id:int parent:int function:uint thread:uint depth:uint callSeq:int callUs:int
 *              ended:uint [endSeq:uint endUs:uint] children:uint
 *     id      difference from the frame before (the first: from 0)
 *     parent  id − parent, or 0 for a frame with no recorded caller
 *     callSeq, callUs  differences from the frame before
 *     ended   1 when the frame had returned for good when the chunk was written, then
 *             endSeq − callSeq and endUs − callUs
 *     children  calls it had made when the chunk was written
 *
 * A frame that returns after its chunk was written for the last time has its end in
 * `frame_ends`; readers lay that over the chunk.
 */

import { BlobError, ByteReader, ByteWriter } from './bytes.js'

export const CHUNK_FORMAT = 1

export interface FrameRecord {
  id: number
  /** 0: no recorded caller. */
  parent: number
  function: number
  thread: number
  depth: number
  callSeq: number
  callUs: number
  /** Its final return; null while it runs or is suspended. */
  endSeq: number | null
  endUs: number | null
  /** Calls it made. */
  children: number
}

export function encodeChunk(frames: readonly FrameRecord[]): Buffer {
  const out = new ByteWriter(16 * frames.length + 16)
  out.byte(CHUNK_FORMAT)
  let id = 0
  let callSeq = 0
  let callUs = 0
  for (const frame of frames) {
    out.int(frame.id - id)
    out.int(frame.parent === 0 ? 0 : frame.id - frame.parent)
    out.uint(frame.function)
    out.uint(frame.thread)
    out.uint(frame.depth)
    out.int(frame.callSeq - callSeq)
    out.int(frame.callUs - callUs)
    if (frame.endSeq === null) {
      out.uint(0)
    } else {
      out.uint(1)
      out.uint(frame.endSeq - frame.callSeq)
      out.uint(Math.max(0, (frame.endUs ?? frame.callUs) - frame.callUs))
    }
    out.uint(frame.children)
    id = frame.id
    callSeq = frame.callSeq
    callUs = frame.callUs
  }
  return Buffer.from(out.view())
}

export function decodeChunk(data: Buffer): FrameRecord[] {
  const frames: FrameRecord[] = []
  scanChunk(data, (frame) => frames.push({ ...frame }))
  return frames
}

/**
 * Calls `visit` with each frame of a chunk, in one record that is reused: what is kept must be
 * copied. Reading a frame's calls out of a thousand chunks allocates nothing for the others.
 */
export function scanChunk(data: Buffer, visit: (frame: FrameRecord) => void): void {
  const input = new ByteReader(data)
  if (input.byte() !== CHUNK_FORMAT) throw new BlobError('unknown frame chunk format')
  const frame: FrameRecord = {
    id: 0,
    parent: 0,
    function: 0,
    thread: 0,
    depth: 0,
    callSeq: 0,
    callUs: 0,
    endSeq: null,
    endUs: null,
    children: 0,
  }
  while (!input.done) {
    frame.id += input.int()
    const parentGap = input.int()
    frame.parent = parentGap === 0 ? 0 : frame.id - parentGap
    frame.function = input.uint()
    frame.thread = input.uint()
    frame.depth = input.uint()
    frame.callSeq += input.int()
    frame.callUs += input.int()
    if (input.uint() === 1) {
      frame.endSeq = frame.callSeq + input.uint()
      frame.endUs = frame.callUs + input.uint()
    } else {
      frame.endSeq = null
      frame.endUs = null
    }
    frame.children = input.uint()
    visit(frame)
  }
}
