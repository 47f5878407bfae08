/**
 * Splits the event stream into frame payloads. The stream is the magic `SMLY`, a version
 * byte, then frames of a little-endian uint32 length followed by that many bytes.
 */

export const MAGIC = [0x53, 0x4d, 0x4c, 0x59] as const
export const WIRE_VERSION = 1
const HEADER_LENGTH = MAGIC.length + 1
/** Larger frames are refused: the tracer writes batches of a few thousand events. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024

export class WireError extends Error {
  override name = 'WireError'
}

/** Feeds on chunks as they arrive and returns each complete frame payload once. */
export class FrameReader {
  private buffer = new Uint8Array(0)
  private headerSeen = false

  /** The payloads completed by `chunk`, in order. Throws `WireError` on a foreign stream. */
  push(chunk: Uint8Array): Uint8Array[] {
    let data = chunk
    if (this.buffer.length > 0) {
      data = new Uint8Array(this.buffer.length + chunk.length)
      data.set(this.buffer)
      data.set(chunk, this.buffer.length)
    }
    let offset = 0
    if (!this.headerSeen) {
      if (data.length < HEADER_LENGTH) {
        this.buffer = data.slice()
        return []
      }
      for (let i = 0; i < MAGIC.length; i++) {
        if (data[i] !== MAGIC[i]) throw new WireError('not a Smiley event stream')
      }
      if (data[MAGIC.length] !== WIRE_VERSION) {
        throw new WireError(
          `event stream version ${data[MAGIC.length]} is not supported (this Smiley reads ${WIRE_VERSION})`,
        )
      }
      this.headerSeen = true
      offset = HEADER_LENGTH
    }
    const payloads: Uint8Array[] = []
    while (data.length - offset >= 4) {
      const length =
        (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16)) +
        data[offset + 3]! * 0x1000000
      if (length > MAX_FRAME_BYTES) throw new WireError(`frame of ${length} bytes is too large`)
      if (data.length - offset - 4 < length) break
      payloads.push(data.subarray(offset + 4, offset + 4 + length))
      offset += 4 + length
    }
    this.buffer = offset < data.length ? data.slice(offset) : new Uint8Array(0)
    return payloads
  }

  /** True when the stream ended in the middle of a frame. */
  get incomplete(): boolean {
    return this.buffer.length > 0
  }
}
