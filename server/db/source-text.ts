/**
 * Source text as stored in `sources.text`: deflated, as a blob, when that saves a tenth of its
 * bytes (most source files take a fifth or less), else the text itself, as files stored before
 * are. The sha256 that names a source is always its text's.
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { Db } from './database.js'

/** Texts shorter than this are stored as they are: deflating would hardly save a page. */
const SHORTEST = 256

/** What `sources.text` holds for `text`. */
export function packSource(text: string): string | Buffer {
  // Only text that is valid UTF-16 survives UTF-8 bytes unchanged (a lone surrogate would not).
  if (text.length < SHORTEST || !text.isWellFormed()) return text
  const bytes = Buffer.from(text, 'utf8')
  const packed = deflateRawSync(bytes)
  return packed.length <= 0.9 * bytes.length ? packed : text
}

/** The text of a `sources.text` value. */
export function unpackSource(stored: string | Buffer): string {
  return typeof stored === 'string' ? stored : inflateRawSync(stored).toString('utf8')
}

/** The stored text named by `hash`, or null when none is stored. */
export function readSourceText(db: Db, hash: string): string | null {
  const stored = db.prepare('SELECT text FROM sources WHERE hash = ?').pluck().get(hash) as
    string | Buffer | undefined
  return stored === undefined ? null : unpackSource(stored)
}
