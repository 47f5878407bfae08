/**
 * What a block of events holds, in a few bytes, for a search to skip the blocks that cannot
 * match without reading them: the kinds of its events, and two Bloom filters, of the
 * functions whose events it holds and of the variables its events change. A filter may say
 * "maybe" for an id that is not there, never "no" for one that is.
 *
 *   block_summaries (run, block, kinds, functions, names, texts)
 *     kinds      bit k set: the block has an event of stored kind k (event-block.ts)
 *     functions  FILTER_BYTES bytes, two bits per function id
 *     names      the same, per symbol id of a changed variable
 *     texts      the pieces of its value texts (text-filter.ts)
 */

export const FILTER_BYTES = 64
const FILTER_BITS = FILTER_BYTES * 8

/** The bits an id sets: two multiplicative hashes of it. */
function bits(id: number): [number, number] {
  const a = Math.imul(id, 0x9e3779b1) >>> 0
  const b = Math.imul(id ^ 0x5bd1e995, 0x85ebca6b) >>> 0
  return [a % FILTER_BITS, b % FILTER_BITS]
}

/** A Bloom filter of small integer ids, built as a block fills. */
export class IdFilter {
  readonly bytes = new Uint8Array(FILTER_BYTES)

  add(id: number): void {
    for (const bit of bits(id)) this.bytes[bit >> 3]! |= 1 << (bit & 7)
  }
}

/** True when the filter `bytes` may hold `id`; false when it surely does not. */
export function mayHold(bytes: Uint8Array, id: number): boolean {
  for (const bit of bits(id)) if ((bytes[bit >> 3]! & (1 << (bit & 7))) === 0) return false
  return true
}

/** True when the filter `bytes` may hold one of `ids`. */
export function mayHoldAny(bytes: Uint8Array, ids: Iterable<number>): boolean {
  for (const id of ids) if (mayHold(bytes, id)) return true
  return false
}
