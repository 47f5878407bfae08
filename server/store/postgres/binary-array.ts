/**
 * A column of a recorder's rows as one PostgreSQL array in the binary wire format (array_recv):
 * `BIGINT[]`, `TEXT[]` or `BYTEA[]`, whichever its values all are. node-postgres sends a Buffer
 * parameter as binary, so neither side spends time on text: no array literal built here (a
 * fourth of the CPU of pg's literal), no number or escaped byte parsed by the server, and one
 * parameter per column whatever the number of rows.
 */

/** The element types, with the type OID that array_recv checks. */
const TYPES = { BIGINT: 20, TEXT: 25, BYTEA: 17 } as const

export type ColumnType = keyof typeof TYPES

/** A column ready to send: `$n::${type}[]`. */
export interface ColumnArray {
  type: ColumnType
  bytes: Buffer
}

const HEADER_BYTES = 20
const TWO_TO_32 = 4294967296

/**
 * `values` as one array of the type they all share (null stands in any), or null when they
 * share none of these (a float, a mix): such rows go as parameters one by one.
 */
export function columnArray(values: readonly unknown[]): ColumnArray | null {
  const type = typeOf(values)
  if (type === null) return null
  return { type, bytes: type === 'BIGINT' ? int8Array(values) : varlenaArray(values, type) }
}

function typeOf(values: readonly unknown[]): ColumnType | null {
  let type: ColumnType | null = null
  for (const value of values) {
    if (value === null) continue
    const own: ColumnType | null = Number.isInteger(value)
      ? 'BIGINT'
      : typeof value === 'string'
        ? 'TEXT'
        : value instanceof Uint8Array
          ? 'BYTEA'
          : null
    if (own === null || (type !== null && own !== type)) return null
    type = own
  }
  // Nulls only: BIGINT, which a nullable TEXT column takes as well (the batch tables have no
  // nullable BYTEA column).
  return type ?? 'BIGINT'
}

/** `values` (integers within ±2^53, or null) as a one-dimensional binary `int8[]`. */
export function int8Array(values: readonly unknown[]): Buffer {
  let nulls = 0
  for (const value of values) if (value === null) nulls++
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + values.length * 12 - nulls * 8)
  const view = header(bytes, values.length, nulls, TYPES.BIGINT)
  let at = HEADER_BYTES
  for (const value of values) {
    if (value === null) {
      view.setInt32(at, -1)
      at += 4
      continue
    }
    const number = value as number
    const high = Math.floor(number / TWO_TO_32)
    view.setInt32(at, 8)
    view.setInt32(at + 4, high)
    view.setUint32(at + 8, number - high * TWO_TO_32)
    at += 12
  }
  return bytes
}

/** Strings (as UTF-8) or bytes, or null, as a one-dimensional binary `text[]` or `bytea[]`. */
function varlenaArray(values: readonly unknown[], type: 'TEXT' | 'BYTEA'): Buffer {
  const elements: Array<Uint8Array | null> = values.map((value) =>
    value === null ? null : typeof value === 'string' ? Buffer.from(value) : (value as Uint8Array),
  )
  let size = HEADER_BYTES
  let nulls = 0
  for (const element of elements) {
    size += 4 + (element?.length ?? 0)
    if (element === null) nulls++
  }
  const bytes = Buffer.allocUnsafe(size)
  const view = header(bytes, values.length, nulls, TYPES[type])
  let at = HEADER_BYTES
  for (const element of elements) {
    view.setInt32(at, element === null ? -1 : element.length)
    at += 4
    if (element === null) continue
    bytes.set(element, at)
    at += element.length
  }
  return bytes
}

/** Writes a one-dimensional array's header into `bytes`; a view for the elements. */
function header(bytes: Buffer, length: number, nulls: number, oid: number): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  view.setInt32(0, 1) // dimensions
  view.setInt32(4, nulls > 0 ? 1 : 0)
  view.setInt32(8, oid)
  view.setInt32(12, length)
  view.setInt32(16, 1) // lower bound
  return view
}
