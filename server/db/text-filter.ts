/**
 * A Bloom filter of the three-character pieces of a block's value texts (values of changed
 * variables, return values, exception messages), compared as search compares them: in lower
 * case, by UTF-16 code unit. Text that holds a word holds each of its pieces, so a block whose
 * filter lacks one of the word's pieces cannot match; a word of fewer than three characters
 * cannot be judged, and every block may match it.
 */

export const TEXT_FILTER_BYTES = 512
const TEXT_FILTER_BITS = TEXT_FILTER_BYTES * 8

/** The first of the two bits of the piece of code units a, b, c; the second follows from it. */
function firstBit(a: number, b: number, c: number): number {
  return Math.imul((a * 0x10001) ^ (b * 0x101) ^ c, 0x9e3779b1) >>> 0
}

function secondBit(first: number): number {
  return Math.imul(first ^ (first >>> 15), 0x85ebca6b) >>> 0
}

function hasBit(bytes: Uint8Array, hash: number): boolean {
  const bit = hash % TEXT_FILTER_BITS
  return (bytes[bit >> 3]! & (1 << (bit & 7))) !== 0
}

function setBit(bytes: Uint8Array, hash: number): void {
  const bit = hash % TEXT_FILTER_BITS
  bytes[bit >> 3]! |= 1 << (bit & 7)
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
      const first = firstBit(a, b, c)
      setBit(this.bytes, first)
      setBit(this.bytes, secondBit(first))
      a = b
      b = c
    }
  }
}

/** False when no text of the block whose filter is `bytes` can hold `word` (in lower case). */
export function mayContain(bytes: Uint8Array, word: string): boolean {
  for (let index = 2; index < word.length; index++) {
    const first = firstBit(
      word.charCodeAt(index - 2),
      word.charCodeAt(index - 1),
      word.charCodeAt(index),
    )
    if (!hasBit(bytes, first) || !hasBit(bytes, secondBit(first))) return false
  }
  return true
}
