/**
 * A Bloom filter of the three-character pieces of a block's value texts (values of changed
 * variables, return values, exception messages), compared as search compares them: in lower
 * case, by UTF-16 code unit. Text that holds a word holds each of its pieces, so a block whose
 * filter lacks one of the word's pieces cannot match; a word of fewer than three characters
 * cannot be judged, and every block may match it.
 */

export const TEXT_FILTER_BYTES = 512
/** 4,096 bits: a bit's index is 12 bits of a piece's hash. */
const BIT_MASK = TEXT_FILTER_BYTES * 8 - 1

/** One multiplicative hash of the piece of code units a, b, c: its two bits are cut from it. */
function pieceHash(a: number, b: number, c: number): number {
  const hash = Math.imul((a << 16) ^ (b << 8) ^ c, 0x9e3779b1)
  // The product's high bits depend on every bit of the piece; fold them into the low ones.
  return hash ^ (hash >>> 16)
}

function hasBits(bytes: Uint8Array, hash: number): boolean {
  const first = hash & BIT_MASK
  const second = (hash >>> 12) & BIT_MASK
  return (
    (bytes[first >> 3]! & (1 << (first & 7))) !== 0 &&
    (bytes[second >> 3]! & (1 << (second & 7))) !== 0
  )
}

function setBits(bytes: Uint8Array, hash: number): void {
  const first = hash & BIT_MASK
  const second = (hash >>> 12) & BIT_MASK
  bytes[first >> 3]! |= 1 << (first & 7)
  bytes[second >> 3]! |= 1 << (second & 7)
}

/** The code unit at `index` in lower case: `text` is plain ASCII or lowered already. */
function lowerAt(text: string, index: number): number {
  const code = text.charCodeAt(index)
  return code >= 65 && code <= 90 ? code + 32 : code
}

// eslint-disable-next-line no-control-regex
const NOT_ASCII = /[^\x00-\x7f]/

export class TextFilter {
  readonly bytes = new Uint8Array(TEXT_FILTER_BYTES)

  add(value: string): void {
    // String.toLowerCase's lower case; for plain ASCII, without making a new string.
    const text = NOT_ASCII.test(value) ? value.toLowerCase() : value
    if (text.length < 3) return
    let a = lowerAt(text, 0)
    let b = lowerAt(text, 1)
    for (let index = 2; index < text.length; index++) {
      const c = lowerAt(text, index)
      setBits(this.bytes, pieceHash(a, b, c))
      a = b
      b = c
    }
  }
}

/** False when no text of the block whose filter is `bytes` can hold `word` (in lower case). */
export function mayContain(bytes: Uint8Array, word: string): boolean {
  for (let index = 2; index < word.length; index++) {
    const hash = pieceHash(
      word.charCodeAt(index - 2),
      word.charCodeAt(index - 1),
      word.charCodeAt(index),
    )
    if (!hasBits(bytes, hash)) return false
  }
  return true
}
