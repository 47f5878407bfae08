/**
 * What `smiley run --remote` holds of the event stream until the recorder has taken it.
 *
 * The pipe is always drained: `push` never waits. While what is held stays under the limit,
 * frames are kept exactly as the tracer wrote them. Past the limit, a new frame loses its
 * events (counted) and keeps its definition and run records, re-encoded as a frame of their
 * own, so that the recorder can still decode everything that follows. The count reaches the
 * recorder as a `lost` record.
 */

import { FrameReader, MAGIC, WIRE_VERSION } from '../../shared/wire/frames.js'
import type { PyValue } from '../../shared/wire/marshal.js'
import { dumps, loads } from '../../shared/wire/marshal.js'
import { TAG } from '../../shared/wire/records.js'

const HEADER = Uint8Array.from([...MAGIC, WIRE_VERSION])
/** Marshal's list type code. */
const LIST = 0x5b

/** Bytes taken for one request: the stream from `offset`, which may end inside a frame. */
export interface Batch {
  offset: number
  bytes: Uint8Array
  /** The payloads of the frames that end in this batch, to count their events if it never arrives. */
  payloads: Uint8Array[]
}

export class SendBuffer {
  private readonly reader = new FrameReader()
  private queue: Uint8Array[] = []
  private head = 0
  /** Bytes of the head frame already taken. */
  private cursor = 0
  private started = false
  private headerTaken = false
  private queued = 0
  private held = 0
  private sent = 0
  private reported = 0
  private discarding = false
  /** Events dropped because the buffer was full; the recorder is told. */
  dropped = 0
  /** Events discarded after the recorder was given up; it never hears of them. */
  unsent = 0

  constructor(
    /** Most bytes held (waiting or in flight) before events are dropped. */
    private readonly limit: number,
  ) {}

  /** True once the tracer's stream has begun. */
  get streamStarted(): boolean {
    return this.started
  }

  /** True when nothing is waiting to be taken. */
  get empty(): boolean {
    return (
      this.head === this.queue.length &&
      this.dropped === this.reported &&
      (this.headerTaken || !this.started)
    )
  }

  /** Bytes of the stream handed out in batches so far. */
  get offset(): number {
    return this.sent
  }

  /** Takes a chunk of the pipe. Throws `WireError` when it is not a Smiley stream. */
  push(chunk: Uint8Array): void {
    for (const payload of this.reader.push(chunk)) {
      this.started = true
      if (this.discarding) this.unsent += countEvents(payload)
      else if (this.queued + this.held + payload.length + 4 <= this.limit) this.enqueue(payload)
      else this.enqueueDefinitions(payload)
    }
  }

  /**
   * The next batch, of at most `maxBytes` (a `lost` frame may be added), or null when nothing
   * waits. Its bytes count against the limit until `release`.
   */
  take(maxBytes: number): Batch | null {
    if (this.discarding || !this.started || this.empty) return null
    const parts: Uint8Array[] = []
    const payloads: Uint8Array[] = []
    let size = 0
    if (!this.headerTaken) {
      parts.push(HEADER)
      size += HEADER.length
      this.headerTaken = true
    }
    while (this.head < this.queue.length && size < maxBytes) {
      const frame = this.queue[this.head]!
      const part = frame.subarray(this.cursor, this.cursor + maxBytes - size)
      parts.push(part)
      size += part.length
      this.queued -= part.length
      this.cursor += part.length
      if (this.cursor === frame.length) {
        payloads.push(frame.subarray(4))
        this.queue[this.head++] = EMPTY
        this.cursor = 0
      }
    }
    if (this.head === this.queue.length) {
      this.queue = []
      this.head = 0
    }
    // Only between frames: the record is a frame of its own.
    if (this.dropped > this.reported && this.cursor === 0) {
      const lost = frameOf([dumps([TAG.lost, this.dropped])])
      parts.push(lost)
      size += lost.length
      this.reported = this.dropped
    }
    const bytes = Buffer.concat(parts, size)
    const batch = { offset: this.sent, bytes, payloads }
    this.sent += size
    this.held += size
    return batch
  }

  /** The recorder has `batch`: it no longer counts against the limit. */
  release(batch: Batch): void {
    this.held -= batch.bytes.length
  }

  /**
   * The recorder is given up: counts the events of `unacknowledged` and of everything
   * waiting as unsent, and from now on only counts what arrives.
   */
  discard(unacknowledged: Batch | null): void {
    if (this.discarding) return
    this.discarding = true
    const payloads = [
      ...(unacknowledged?.payloads ?? []),
      ...this.queue.slice(this.head).map((frame) => frame.subarray(4)),
    ]
    for (const payload of payloads) this.unsent += countEvents(payload)
    this.queue = []
    this.head = this.cursor = 0
    this.queued = this.held = 0
  }

  private enqueue(payload: Uint8Array): void {
    const frame = new Uint8Array(payload.length + 4)
    new DataView(frame.buffer).setUint32(0, payload.length, true)
    frame.set(payload, 4)
    this.queue.push(frame)
    this.queued += frame.length
  }

  private enqueueDefinitions(payload: Uint8Array): void {
    const records = loads(payload)
    if (!Array.isArray(records)) return
    const kept: Uint8Array[] = []
    for (const record of records) {
      if (isEvent(record)) this.dropped += 1
      else kept.push(dumps(record as readonly PyValue[]))
    }
    if (kept.length > 0) {
      const frame = frameOf(kept)
      this.queue.push(frame)
      this.queued += frame.length
    }
  }
}

const EMPTY = new Uint8Array(0)

/** Events (tags below 16) among a frame's records. */
export function countEvents(payload: Uint8Array): number {
  const records = loads(payload)
  return Array.isArray(records) ? records.filter(isEvent).length : 0
}

function isEvent(record: PyValue): boolean {
  return Array.isArray(record) && typeof record[0] === 'number' && record[0] < TAG.hello
}

/** A frame (length prefix and payload) whose payload is a marshalled list of `records`. */
function frameOf(records: Uint8Array[]): Uint8Array {
  const length = 5 + records.reduce((sum, r) => sum + r.length, 0)
  const frame = new Uint8Array(4 + length)
  const view = new DataView(frame.buffer)
  view.setUint32(0, length, true)
  frame[4] = LIST
  view.setInt32(5, records.length, true)
  let at = 9
  for (const record of records) {
    frame.set(record, at)
    at += record.length
  }
  return frame
}
