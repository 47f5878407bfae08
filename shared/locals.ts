/**
 * How changed locals are stored in the `events.locals` column: compact text that SQLite can
 * still search. Each entry is `name,type,length:text`, with the name and type as symbol ids
 * and the length in UTF-16 code units; a deleted variable is `name,0,0:`.
 */

import type { FlatChanges } from './wire/records.js'

/** One variable as stored: symbol ids, and the text (null when it was deleted). */
export interface StoredLocal {
  name: number
  type: number
  text: string | null
}

/** Encodes the flat triples of a call or change record; null when there is nothing. */
export function encodeLocals(flat: FlatChanges | null): string | null {
  if (flat === null || flat.length === 0) return null
  let out = ''
  for (let i = 0; i < flat.length; i += 3) {
    const text = flat[i + 2]
    if (typeof text === 'string') out += `${flat[i]},${flat[i + 1]},${text.length}:${text}`
    else out += `${flat[i]},0,0:`
  }
  return out
}

/** Decodes the column; throws on text that was not written by `encodeLocals`. */
export function decodeLocals(encoded: string | null): StoredLocal[] {
  const locals: StoredLocal[] = []
  if (encoded === null) return locals
  let at = 0
  while (at < encoded.length) {
    const nameEnd = encoded.indexOf(',', at)
    const typeEnd = encoded.indexOf(',', nameEnd + 1)
    const lengthEnd = encoded.indexOf(':', typeEnd + 1)
    if (nameEnd < 0 || typeEnd < 0 || lengthEnd < 0) throw new Error('malformed locals column')
    const name = wholeNumber(encoded.slice(at, nameEnd))
    const type = wholeNumber(encoded.slice(nameEnd + 1, typeEnd))
    const length = wholeNumber(encoded.slice(typeEnd + 1, lengthEnd))
    const start = lengthEnd + 1
    if (start + length > encoded.length) throw new Error('malformed locals column')
    locals.push({ name, type, text: type === 0 ? null : encoded.slice(start, start + length) })
    at = start + length
  }
  return locals
}

function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error('malformed locals column')
  return Number(text)
}
