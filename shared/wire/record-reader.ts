/**
 * Reads the records of one frame payload. Nearly every payload holds only events and
 * definitions, in the few marshal forms the tracer writes them in (small tuples of ints,
 * floats, strings and None, with back-references to scalars and to tuples of locals); those
 * are read straight into records, without the tuples `loads` would build on the way. Any
 * other payload (hello, profile, end, a form marshal may also use) is read by `loads` and
 * `parseRecord`, which also say what is wrong with a malformed one.
 */

import { WireError } from './frames.js'
import { FLAG_REF, loads, MARSHAL_TYPE } from './marshal.js'
import { parseRecord, TAG, type FlatChanges, type WireRecord } from './records.js'
import { decodeUtf8 } from './utf8.js'

type DecodeText = (bytes: Uint8Array, start: number, end: number) => string

/** The records of a frame payload. Throws `WireError` or `MarshalError` when malformed. */
export function readRecords(
  payload: Uint8Array,
  decodeText: DecodeText = decodeUtf8,
): WireRecord[] {
  return readDirectly(payload, decodeText) ?? readGenerally(payload, decodeText)
}

/** The records of a payload in the tracer's usual forms; null for any other payload. */
export function readDirectly(payload: Uint8Array, decodeText: DecodeText): WireRecord[] | null {
  try {
    return new DirectReader(payload, decodeText).records()
  } catch (error) {
    if (error === OUTSIDE) return null
    throw error
  }
}

function readGenerally(payload: Uint8Array, decodeText: DecodeText): WireRecord[] {
  const records = loads(payload, decodeText)
  if (!Array.isArray(records)) throw new WireError('a frame did not hold a list of records')
  return records.map(parseRecord)
}

/** Thrown inside `DirectReader` when the payload is not in the forms it reads. */
const OUTSIDE = new Error('outside the direct forms')

/** What a back-reference to a record or to the list of records finds: nothing to read here. */
const CONTAINER = Symbol('container')

type Kept = number | string | FlatChanges | typeof CONTAINER

const T = MARSHAL_TYPE

/** Texts up to this many bytes are decoded here; longer ones by `decodeText`. */
const SHORT_TEXT = 24

class DirectReader {
  private at = 0
  private readonly view: DataView
  /** Values flagged for back-references, in the order marshal numbers them. */
  private readonly kept: Kept[] = []

  constructor(
    private readonly data: Uint8Array,
    private readonly decodeText: DecodeText,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  }

  records(): WireRecord[] {
    this.container(T.list)
    const count = this.int32()
    if (count < 0 || count > this.data.length) throw OUTSIDE
    const records = new Array<WireRecord>(count)
    for (let i = 0; i < count; i++) records[i] = this.record()
    if (this.at !== this.data.length) throw OUTSIDE
    return records
  }

  private record(): WireRecord {
    this.container(T.smallTuple)
    const size = this.byte()
    const tag = this.int()
    switch (tag) {
      case TAG.call:
        if (size !== 9 && size !== 10) throw OUTSIDE
        return {
          tag,
          frame: this.int(),
          line: this.int(),
          time: this.float(),
          locals: this.changes(),
          code: this.int(),
          parent: this.int(),
          thread: this.int(),
          depth: this.int(),
          task: size === 10 ? this.int() : 0,
        }
      case TAG.line:
        if (size !== 5) throw OUTSIDE
        return {
          tag,
          frame: this.int(),
          line: this.int(),
          time: this.float(),
          changes: this.changes(),
        }
      case TAG.return:
      case TAG.yield:
        if (size !== 7) throw OUTSIDE
        return {
          tag,
          frame: this.int(),
          line: this.int(),
          time: this.float(),
          changes: this.changes(),
          valueType: this.int(),
          value: this.optionalText(),
        }
      case TAG.exception:
        if (size !== 7) throw OUTSIDE
        return {
          tag,
          frame: this.int(),
          line: this.int(),
          time: this.float(),
          changes: this.changes(),
          exceptionType: this.int(),
          message: this.text(),
        }
      case TAG.code:
        if (size !== 6) throw OUTSIDE
        return {
          tag,
          code: this.int(),
          file: this.int(),
          name: this.text(),
          qualifiedName: this.text(),
          firstLine: this.int(),
        }
      case TAG.file:
        if (size !== 4) throw OUTSIDE
        return { tag, file: this.int(), path: this.text(), source: this.optionalText() }
      case TAG.thread:
        if (size !== 4) throw OUTSIDE
        return { tag, thread: this.int(), ident: this.int(), name: this.text() }
      case TAG.symbol:
        if (size !== 3) throw OUTSIDE
        return { tag, symbol: this.int(), text: this.text() }
      case TAG.task:
        if (size !== 4) throw OUTSIDE
        return { tag, task: this.int(), name: this.text(), thread: this.int() }
      case TAG.await:
        if (size !== 3) throw OUTSIDE
        return { tag, task: this.int(), awaited: this.int() }
      default:
        throw OUTSIDE
    }
  }

  /** A list or tuple of the given form, whose back-reference slot, if flagged, nothing uses. */
  private container(form: number): void {
    const code = this.byte()
    if (code === (form | FLAG_REF)) this.kept.push(CONTAINER)
    else if (code !== form) throw OUTSIDE
  }

  /** None, or a tuple of (name, type, text) triples; text is None only for type 0. */
  private changes(): FlatChanges | null {
    const code = this.byte()
    if (code === T.none) return null
    if (code === T.ref) {
      const kept = this.ref()
      if (Array.isArray(kept)) return kept as FlatChanges
      throw OUTSIDE
    }
    const form = code & ~FLAG_REF
    let size: number
    if (form === T.smallTuple) size = this.byte()
    else if (form === T.tuple) size = this.int32()
    else throw OUTSIDE
    if (size % 3 !== 0 || size < 0 || size > this.data.length - this.at) throw OUTSIDE
    const flat = new Array<number | string | null>(size)
    if (code !== form) this.kept.push(flat)
    for (let i = 0; i < size; i += 3) {
      flat[i] = this.int()
      const type = this.int()
      flat[i + 1] = type
      flat[i + 2] = type === 0 ? this.none() : this.text()
    }
    return flat
  }

  private optionalText(): string | null {
    if (this.data[this.at] !== T.none) return this.text()
    this.at += 1
    return null
  }

  private none(): null {
    if (this.byte() !== T.none) throw OUTSIDE
    return null
  }

  private text(): string {
    const code = this.byte()
    if (code === T.ref) {
      const kept = this.ref()
      if (typeof kept === 'string') return kept
      throw OUTSIDE
    }
    let text: string
    switch (code & ~FLAG_REF) {
      case T.shortAscii:
      case T.shortAsciiInterned:
        text = this.ascii(this.byte())
        break
      case T.ascii:
      case T.asciiInterned:
        text = this.ascii(this.int32())
        break
      case T.unicode:
      case T.interned: {
        const end = this.end(this.int32())
        text = this.decodeText(this.data, this.at, end)
        this.at = end
        break
      }
      default:
        throw OUTSIDE
    }
    if (code & FLAG_REF) this.kept.push(text)
    return text
  }

  /** Text marshal marks as ASCII; a byte that is not goes to `decodeText`, as `loads` would. */
  private ascii(size: number): string {
    const { data } = this
    const start = this.at
    const end = this.end(size)
    this.at = end
    if (size > SHORT_TEXT) return this.decodeText(data, start, end)
    let text = ''
    for (let i = start; i < end; i++) {
      const byte = data[i]!
      if (byte > 0x7f) return this.decodeText(data, start, end)
      text += String.fromCharCode(byte)
    }
    return text
  }

  private int(): number {
    const code = this.byte()
    if (code === T.int) return this.int32()
    if (code === (T.int | FLAG_REF)) return this.keep(this.int32())
    if (code === T.ref) {
      const kept = this.ref()
      if (Number.isInteger(kept)) return kept as number
    }
    if ((code & ~FLAG_REF) === T.long) {
      const value = this.long()
      return code === T.long ? value : this.keep(value)
    }
    throw OUTSIDE
  }

  /** An int past 32 bits (a thread's ident), as a number, rounded as `parseRecord` rounds it. */
  private long(): number {
    const signed = this.int32()
    const digits = Math.abs(signed)
    const start = this.at
    this.at = this.end(digits * 2)
    let value = 0n
    for (let i = digits - 1; i >= 0; i--)
      value = value * 32768n + BigInt(this.view.getUint16(start + i * 2, true))
    return Number(signed < 0 ? -value : value)
  }

  /** A float, or anything else that a number may be in a record. */
  private float(): number {
    const code = this.byte()
    if ((code & ~FLAG_REF) === T.binaryFloat) {
      const at = this.at
      this.at = this.end(8)
      const value = this.view.getFloat64(at, true)
      return code === T.binaryFloat ? value : this.keep(value)
    }
    this.at -= 1
    return this.int()
  }

  private keep(value: number): number {
    this.kept.push(value)
    return value
  }

  private ref(): Kept {
    const index = this.int32()
    if (index < 0 || index >= this.kept.length) throw OUTSIDE
    return this.kept[index]!
  }

  private int32(): number {
    const at = this.at
    this.at = this.end(4)
    return this.view.getInt32(at, true)
  }

  /** Where `size` more bytes end; throws when the payload is shorter. */
  private end(size: number): number {
    const end = this.at + size
    if (size < 0 || end > this.data.length) throw OUTSIDE
    return end
  }

  private byte(): number {
    if (this.at >= this.data.length) throw OUTSIDE
    return this.data[this.at++]!
  }
}
