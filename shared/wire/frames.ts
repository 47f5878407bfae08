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
  /** Bytes received and not yet returned, in order; joined only once they hold a frame. */
  private parts: Uint8Array[] = []
  private partsLength = 0
  /** How many bytes must be waiting before another frame (or the header) can be read. */
  private needed = HEADER_LENGTH
  private headerSeen = false

  /** The payloads completed by `chunk`, in order. Throws `WireError` on a foreign stream. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.parts.push(chunk)
    this.partsLength += chunk.length
    if (this.partsLength < this.needed) return []
    const data = this.parts.length === 1 ? chunk : join(this.parts, this.partsLength)
    let offset = 0
    if (!this.headerSeen) {
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
    this.needed = 4
    while (data.length - offset >= 4) {
      const length =
        (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16)) +
        data[offset + 3]! * 0x1000000
      if (length > MAX_FRAME_BYTES) throw new WireError(`frame of ${length} bytes is too large`)
      if (data.length - offset - 4 < length) {
        this.needed = 4 + length
        break
      }
      payloads.push(data.subarray(offset + 4, offset + 4 + length))
      offset += 4 + length
    }
    this.parts = offset < data.length ? [data.subarray(offset)] : []
    this.partsLength = data.length - offset
    return payloads
  }

  /** True when the stream ended in the middle of a frame. */
  get incomplete(): boolean {
    return this.partsLength > 0
  }
}

function join(parts: Uint8Array[], length: number): Uint8Array {
  const joined = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    joined.set(part, at)
    at += part.length
  }
  return joined
}
