/**
 * UTF-8 without host APIs, so that `shared/` runs unchanged in Node and in the browser.
 * Python writes strings with the `surrogatepass` error handler, so encoded lone surrogates
 * decode to the same UTF-16 code unit; invalid bytes decode to U+FFFD.
 */

const CHUNK = 0x2000

/** Decodes `bytes[start:end]`. */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let ascii = true
  for (let i = start; i < end; i++) {
    if (bytes[i]! > 0x7f) {
      ascii = false
      break
    }
  }
  if (ascii) return fromCodeUnits(bytes.subarray(start, end))
  const units: number[] = []
  let i = start
  while (i < end) {
    const first = bytes[i]!
    if (first < 0x80) {
      units.push(first)
      i += 1
      continue
    }
    const needed = first >= 0xf0 && first <= 0xf4 ? 3 : first >= 0xe0 ? 2 : first >= 0xc2 ? 1 : -1
    if (needed < 0 || !continuations(bytes, i + 1, needed, end)) {
      units.push(0xfffd)
      i += 1
      continue
    }
    let point = first & (0x3f >> needed)
    for (let k = 1; k <= needed; k++) point = (point << 6) | (bytes[i + k]! & 0x3f)
    if (point < [0, 0x80, 0x800, 0x10000][needed]! || point > 0x10ffff) {
      units.push(0xfffd)
      i += 1
      continue
    }
    if (point >= 0x10000) {
      point -= 0x10000
      units.push(0xd800 | (point >> 10), 0xdc00 | (point & 0x3ff))
    } else {
      units.push(point)
    }
    i += needed + 1
  }
  return fromCodeUnits(units)
}

function continuations(bytes: Uint8Array, from: number, count: number, end: number): boolean {
  if (from + count > end) return false
  for (let k = 0; k < count; k++) if ((bytes[from + k]! & 0xc0) !== 0x80) return false
  return true
}

function fromCodeUnits(units: ArrayLike<number>): string {
  if (units.length <= CHUNK) return String.fromCharCode.apply(null, units as number[])
  let text = ''
  for (let i = 0; i < units.length; i += CHUNK) {
    const part = Array.prototype.slice.call(units, i, i + CHUNK) as number[]
    text += String.fromCharCode.apply(null, part)
  }
  return text
}

/** Encodes a string; lone surrogates are written as Python's `surrogatepass` writes them. */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    let point = text.charCodeAt(i)
    if (point >= 0xd800 && point <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        point = 0x10000 + ((point - 0xd800) << 10) + (next - 0xdc00)
        i += 1
      }
    }
    if (point < 0x80) out.push(point)
    else if (point < 0x800) out.push(0xc0 | (point >> 6), 0x80 | (point & 0x3f))
    else if (point < 0x10000)
      out.push(0xe0 | (point >> 12), 0x80 | ((point >> 6) & 0x3f), 0x80 | (point & 0x3f))
    else
      out.push(
        0xf0 | (point >> 18),
        0x80 | ((point >> 12) & 0x3f),
        0x80 | ((point >> 6) & 0x3f),
        0x80 | (point & 0x3f),
      )
  }
  return Uint8Array.from(out)
}
