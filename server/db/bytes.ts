/**
 * Varints and text for Smiley's binary columns (event blocks, frame snapshots): a growable
 * byte writer and a cursor reader. Integers are LEB128 varints, signed ones zigzagged; both
 * cover every safe integer. Text is UTF-8 as Python's `surrogatepass` writes it, so a lone
 * surrogate in a recorded value survives the round trip.
 */

import { decodeUtf8, encodeUtf8 } from '../../shared/wire/utf8.js'

const TWO_32 = 2 ** 32
/** Text up to this many bytes is encoded and decoded here rather than by Node. */
const SHORT_TEXT = 32

export class ByteWriter {
  bytes: Buffer
  length = 0

  constructor(capacity = 4096) {
    this.bytes = Buffer.allocUnsafe(capacity)
  }

  /** The bytes written so far, as a view (valid until the next write). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length)
  }

  reset(): void {
    this.length = 0
  }

  byte(value: number): void {
    if (this.length === this.bytes.length) this.grow(1)
    this.bytes[this.length++] = value
  }

  /** A non-negative safe integer. */
  uint(value: number): void {
    if (this.length + 8 > this.bytes.length) this.grow(8)
    const bytes = this.bytes
    let at = this.length
    while (value >= 0x80) {
      bytes[at++] = (value < TWO_32 ? value & 0x7f : value % 0x80) | 0x80
      value = value < TWO_32 ? value >>> 7 : Math.floor(value / 0x80)
    }
    bytes[at++] = value
    this.length = at
  }

  /** Any safe integer of magnitude below 2^52. */
  int(value: number): void {
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  /** `text` as UTF-8 bytes, preceded by nothing: the caller writes the length first. */
  utf8(text: string, byteLength: number): void {
    if (this.length + byteLength > this.bytes.length) this.grow(byteLength)
    if (byteLength === text.length && byteLength <= SHORT_TEXT) {
      // ASCII (any other code unit takes more than a byte): short text is copied here, cheaper
      // than a call into Node.
      const { bytes } = this
      for (let i = 0, at = this.length; i < byteLength; i++, at++) bytes[at] = text.charCodeAt(i)
    } else if (text.isWellFormed()) this.bytes.write(text, this.length, byteLength, 'utf8')
    else this.bytes.set(encodeUtf8(text), this.length)
    this.length += byteLength
  }

  /**
   * The uint `base + 2n`, then `text` as its n UTF-8 bytes. Long text takes one native call:
   * the bytes are written where a header sized for ASCII ends, and moved in the rare case
   * that the header needs another byte.
   */
  sizedUtf8(base: number, text: string): void {
    if (text.length <= SHORT_TEXT || !text.isWellFormed()) {
      const byteLength = utf8Length(text)
      this.uint(base + 2 * byteLength)
      return this.utf8(text, byteLength)
    }
    const room = 3 * text.length + 16
    if (this.length + room > this.bytes.length) this.grow(room)
    const guess = uintLength(base + 2 * text.length)
    const start = this.length + guess
    const written = this.bytes.write(text, start, 'utf8')
    const header = uintLength(base + 2 * written)
    if (header !== guess) this.bytes.copyWithin(this.length + header, start, start + written)
    this.uint(base + 2 * written)
    this.length += written
  }

  append(data: Uint8Array): void {
    if (this.length + data.length > this.bytes.length) this.grow(data.length)
    this.bytes.set(data, this.length)
    this.length += data.length
  }

  private grow(needed: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + needed))
    this.bytes.copy(bigger, 0, 0, this.length)
    this.bytes = bigger
  }
}

/** The bytes ByteWriter.uint takes for `value`. */
function uintLength(value: number): number {
  let length = 1
  for (; value >= 0x80; length++) value = Math.floor(value / 0x80)
  return length
}

/** The number of UTF-8 bytes `text` takes as ByteWriter.utf8 writes it. */
export function utf8Length(text: string): number {
  // Every code unit below 0x80 is one byte: the common case needs no native call.
  if (text.length <= SHORT_TEXT) {
    let ascii = true
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) >= 0x80) {
        ascii = false
        break
      }
    }
    if (ascii) return text.length
  }
  return text.isWellFormed() ? Buffer.byteLength(text, 'utf8') : encodeUtf8(text).length
}

export class BlobError extends Error {
  override name = 'BlobError'
}

export class ByteReader {
  at = 0

  constructor(readonly bytes: Buffer) {}

  get done(): boolean {
    return this.at >= this.bytes.length
  }

  byte(): number {
    if (this.at >= this.bytes.length) throw new BlobError('truncated data')
    return this.bytes[this.at++]!
  }

  uint(): number {
    const bytes = this.bytes
    let value = 0
    let scale = 1
    for (;;) {
      if (this.at >= bytes.length) throw new BlobError('truncated data')
      const byte = bytes[this.at++]!
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 0x80
      if (scale > 2 ** 56) throw new BlobError('varint too long')
    }
  }

  int(): number {
    const zigzag = this.uint()
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2
  }

  /** `length` bytes of UTF-8 text. */
  utf8(length: number): string {
    const start = this.at
    const end = start + length
    if (end > this.bytes.length) throw new BlobError('truncated data')
    this.at = end
    return utf8Text(this.bytes, start, end)
  }
}

/**
 * `bytes[start:end]` as text, UTF-8 as Python writes it: natively, unless it holds an encoded
 * surrogate (0xED 0xA0–0xBF), which only shared/'s decoder keeps (natively it is U+FFFD).
 * Decoding first and looking for U+FFFD after is cheaper than looking at every byte.
 */
export function utf8Text(bytes: Buffer, start: number, end: number): string {
  const text = bytes.toString('utf8', start, end)
  if (!text.includes('\uFFFD')) return text
  for (let i = start; i < end - 1; i++)
    if (bytes[i] === 0xed && bytes[i + 1]! >= 0xa0) return decodeUtf8(bytes, start, end)
  return text
}
