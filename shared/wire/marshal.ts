/**
 * Python's `marshal` format (version 4, as CPython 3.8 to 3.13 write it), for the values the
 * event stream and `.pstats` files carry: None, booleans, ints, floats, str, bytes, tuples,
 * lists, sets and dicts, with back-references. Code objects are not supported.
 */

import { decodeUtf8, encodeUtf8 } from './utf8.js'

/** A Python dict, kept as its entries: keys may be tuples. */
export class PyDict {
  constructor(readonly entries: Array<[PyValue, PyValue]>) {}

  /** The value under a string key, if there is one. */
  get(key: string): PyValue | undefined {
    for (const [k, v] of this.entries) if (k === key) return v
    return undefined
  }

  /** The dict as a plain object; entries whose key is not a string are left out. */
  toObject(): Record<string, PyValue> {
    const object: Record<string, PyValue> = {}
    for (const [k, v] of this.entries) if (typeof k === 'string') object[k] = v
    return object
  }
}

/** A float that must be written as a float even when its value is whole. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** What `loads` returns: tuples, lists and sets all become arrays. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyDict

/** What `dumps` accepts: arrays are written as tuples. */
export type PyWritable =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyFloat
  | readonly PyWritable[]
  | PyDict
  | PyWritableDict

/** A dict to write, with arbitrary keys. */
export interface PyWritableDict {
  readonly dictEntries: ReadonlyArray<readonly [PyWritable, PyWritable]>
}

export class MarshalError extends Error {
  override name = 'MarshalError'
}

/** Marks a value that later back-references (`r`) may name. */
export const FLAG_REF = 0x80
/** Marshal's type codes. */
export const MARSHAL_TYPE = {
  null: 0x30, // '0'
  none: 0x4e, // 'N'
  false: 0x46, // 'F'
  true: 0x54, // 'T'
  int: 0x69, // 'i'
  long: 0x6c, // 'l'
  binaryFloat: 0x67, // 'g'
  bytes: 0x73, // 's'
  interned: 0x74, // 't'
  unicode: 0x75, // 'u'
  ascii: 0x61, // 'a'
  asciiInterned: 0x41, // 'A'
  shortAscii: 0x7a, // 'z'
  shortAsciiInterned: 0x5a, // 'Z'
  tuple: 0x28, // '('
  smallTuple: 0x29, // ')'
  list: 0x5b, // '['
  dict: 0x7b, // '{'
  set: 0x3c, // '<'
  frozenset: 0x3e, // '>'
  ref: 0x72, // 'r'
} as const
const T = MARSHAL_TYPE

const MAX_DEPTH = 200

/** Decodes one marshalled value. Throws `MarshalError` on anything malformed or unsupported. */
export function loads(
  data: Uint8Array,
  decodeText: (bytes: Uint8Array, start: number, end: number) => string = decodeUtf8,
): PyValue {
  const reader = new Reader(data, decodeText)
  const value = reader.read(0)
  if (reader.position !== data.length)
    throw new MarshalError(`${data.length - reader.position} bytes left over`)
  return value
}

class Reader {
  position = 0
  private readonly refs: PyValue[] = []
  private readonly view: DataView

  constructor(
    private readonly data: Uint8Array,
    private readonly decodeText: (bytes: Uint8Array, start: number, end: number) => string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  }

  read(depth: number): PyValue {
    if (depth > MAX_DEPTH) throw new MarshalError('nested too deeply')
    const code = this.byte()
    const flagged = (code & FLAG_REF) !== 0
    const type = code & ~FLAG_REF
    switch (type) {
      case T.none:
        return null
      case T.false:
        return false
      case T.true:
        return true
      case T.int:
        return this.keep(flagged, this.int32())
      case T.long:
        return this.keep(flagged, this.long())
      case T.binaryFloat: {
        this.need(8)
        const value = this.view.getFloat64(this.position, true)
        this.position += 8
        return this.keep(flagged, value)
      }
      case T.bytes: {
        const size = this.size()
        this.need(size)
        const value = this.data.slice(this.position, this.position + size)
        this.position += size
        return this.keep(flagged, value)
      }
      case T.unicode:
      case T.interned:
      case T.ascii:
      case T.asciiInterned:
        return this.keep(flagged, this.text(this.size()))
      case T.shortAscii:
      case T.shortAsciiInterned:
        return this.keep(flagged, this.text(this.byte()))
      case T.tuple:
      case T.list:
      case T.set:
      case T.frozenset:
        return this.sequence(this.size(), flagged, depth)
      case T.smallTuple:
        return this.sequence(this.byte(), flagged, depth)
      case T.dict:
        return this.dict(flagged, depth)
      case T.ref: {
        const index = this.int32()
        if (index < 0 || index >= this.refs.length)
          throw new MarshalError(`bad back-reference ${index}`)
        return this.refs[index]!
      }
      default:
        throw new MarshalError(
          `unsupported marshal type 0x${type.toString(16)} at byte ${this.position - 1}`,
        )
    }
  }

  private keep<V extends PyValue>(flagged: boolean, value: V): V {
    if (flagged) this.refs.push(value)
    return value
  }

  private sequence(size: number, flagged: boolean, depth: number): PyValue[] {
    if (size > this.data.length - this.position)
      throw new MarshalError('sequence longer than the data')
    const items: PyValue[] = new Array<PyValue>(size)
    if (flagged) this.refs.push(items)
    for (let i = 0; i < size; i++) items[i] = this.read(depth + 1)
    return items
  }

  private dict(flagged: boolean, depth: number): PyDict {
    const dict = new PyDict([])
    if (flagged) this.refs.push(dict)
    for (;;) {
      if (this.data[this.position] === T.null) {
        this.position += 1
        return dict
      }
      const key = this.read(depth + 1)
      dict.entries.push([key, this.read(depth + 1)])
    }
  }

  private text(size: number): string {
    this.need(size)
    const value = this.decodeText(this.data, this.position, this.position + size)
    this.position += size
    return value
  }

  private long(): number | bigint {
    const signed = this.int32()
    const digits = Math.abs(signed)
    this.need(digits * 2)
    let value: number | bigint
    if (digits <= 3) {
      let small = 0
      for (let i = digits - 1; i >= 0; i--)
        small = small * 32768 + this.view.getUint16(this.position + i * 2, true)
      value = small
    } else {
      let big = 0n
      for (let i = digits - 1; i >= 0; i--)
        big = big * 32768n + BigInt(this.view.getUint16(this.position + i * 2, true))
      value = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
    }
    this.position += digits * 2
    if (signed < 0) return typeof value === 'bigint' ? -value : -value
    return value
  }

  private size(): number {
    const size = this.int32()
    if (size < 0) throw new MarshalError('negative size')
    return size
  }

  private int32(): number {
    this.need(4)
    const value = this.view.getInt32(this.position, true)
    this.position += 4
    return value
  }

  private byte(): number {
    this.need(1)
    return this.data[this.position++]!
  }

  private need(count: number): void {
    if (this.position + count > this.data.length) throw new MarshalError('truncated marshal data')
  }
}

/** Encodes a value the way `marshal.dumps` would (without back-references). */
export function dumps(value: PyWritable): Uint8Array {
  const writer = new Writer()
  writer.write(value)
  return writer.finish()
}

class Writer {
  private bytes = new Uint8Array(1024)
  private view = new DataView(this.bytes.buffer)
  private length = 0

  write(value: PyWritable): void {
    if (value === null) return this.byte(T.none)
    if (value === true) return this.byte(T.true)
    if (value === false) return this.byte(T.false)
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) {
        this.byte(T.int)
        return this.int32(value)
      }
      if (Number.isInteger(value) && Number.isSafeInteger(value)) return this.long(BigInt(value))
      return this.float(value)
    }
    if (typeof value === 'bigint') return this.long(value)
    if (typeof value === 'string') {
      const encoded = encodeUtf8(value)
      this.byte(T.unicode)
      this.int32(encoded.length)
      return this.raw(encoded)
    }
    if (value instanceof Uint8Array) {
      this.byte(T.bytes)
      this.int32(value.length)
      return this.raw(value)
    }
    if (value instanceof PyFloat) return this.float(value.value)
    if (value instanceof PyDict) return this.dict(value.entries)
    if (isWritableDict(value)) return this.dict(value.dictEntries)
    this.byte(T.tuple)
    this.int32(value.length)
    for (const item of value) this.write(item)
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length)
  }

  private dict(entries: ReadonlyArray<readonly [PyWritable, PyWritable]>): void {
    this.byte(T.dict)
    for (const [key, item] of entries) {
      this.write(key)
      this.write(item)
    }
    this.byte(T.null)
  }

  private float(value: number): void {
    this.byte(T.binaryFloat)
    this.reserve(8)
    this.view.setFloat64(this.length, value, true)
    this.length += 8
  }

  private long(value: bigint): void {
    const negative = value < 0n
    let rest = negative ? -value : value
    const digits: number[] = []
    while (rest > 0n) {
      digits.push(Number(rest & 0x7fffn))
      rest >>= 15n
    }
    this.byte(T.long)
    this.int32(negative ? -digits.length : digits.length)
    this.reserve(digits.length * 2)
    for (const digit of digits) {
      this.view.setUint16(this.length, digit, true)
      this.length += 2
    }
  }

  private int32(value: number): void {
    this.reserve(4)
    this.view.setInt32(this.length, value, true)
    this.length += 4
  }

  private byte(value: number): void {
    this.reserve(1)
    this.bytes[this.length++] = value
  }

  private raw(data: Uint8Array): void {
    this.reserve(data.length)
    this.bytes.set(data, this.length)
    this.length += data.length
  }

  private reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.length + count) size *= 2
    const bigger = new Uint8Array(size)
    bigger.set(this.bytes.subarray(0, this.length))
    this.bytes = bigger
    this.view = new DataView(bigger.buffer)
  }
}

function isWritableDict(value: object): value is PyWritableDict {
  return 'dictEntries' in value
}
