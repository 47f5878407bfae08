/**
 * The tests of a session whose runs were deleted (`--keep failed`: those that passed or were
 * skipped), packed: instead of a row of `tests` each (about 180 bytes with its index entry), a
 * deflated blob per pack of PACK tests (about a kilobyte, a few to a page), rewritten as each
 * test ends. A session of 500 tests keeps its list in about a quarter of the bytes, and lists
 * every test as before.
 *
 *   per test: uint position, uint name length, name (UTF-8), its run's id (byte 0 and the 16
 *   bytes of a uuid, or byte 1, uint length and the text), float64 LE start, byte outcome
 *   (index in TEST_OUTCOMES), float64 LE duration, uint events
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { TEST_OUTCOMES, type SessionTest, type TestOutcome } from '../../shared/types/test.js'
import { BlobError, ByteReader, ByteWriter, utf8Length } from './bytes.js'
import type { Db } from './database.js'

/** Tests per pack: a pack of a few KB, cheap to rewrite as each test ends. */
export const PACK = 32

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A test that has ended and whose run is gone. */
export interface PackedTest {
  position: number
  name: string
  run: string
  startedAt: number
  outcome: TestOutcome
  duration: number
  events: number
}

function writeText(out: ByteWriter, text: string): void {
  const length = utf8Length(text)
  out.uint(length)
  out.utf8(text, length)
}

function writeDouble(out: ByteWriter, value: number): void {
  const bytes = Buffer.alloc(8)
  bytes.writeDoubleLE(value)
  out.append(bytes)
}

function readDouble(input: ByteReader): number {
  if (input.at + 8 > input.bytes.length) throw new BlobError('truncated data')
  const value = input.bytes.readDoubleLE(input.at)
  input.at += 8
  return value
}

/** The pack of `tests`, as stored. */
export function encodePack(tests: PackedTest[]): Buffer {
  const out = new ByteWriter(64 * tests.length)
  for (const test of tests) {
    out.uint(test.position)
    writeText(out, test.name)
    if (UUID.test(test.run)) {
      out.byte(0)
      out.append(Buffer.from(test.run.replaceAll('-', ''), 'hex'))
    } else {
      out.byte(1)
      writeText(out, test.run)
    }
    writeDouble(out, test.startedAt)
    out.byte(TEST_OUTCOMES.indexOf(test.outcome))
    writeDouble(out, test.duration)
    out.uint(test.events)
  }
  return deflateRawSync(out.view())
}

/** The tests of a stored pack. */
export function decodePack(blob: Buffer): SessionTest[] {
  const input = new ByteReader(inflateRawSync(blob))
  const tests: SessionTest[] = []
  while (!input.done) {
    const position = input.uint()
    const name = input.utf8(input.uint())
    let run: string
    if (input.byte() === 0) {
      if (input.at + 16 > input.bytes.length) throw new BlobError('truncated data')
      const hex = input.bytes.toString('hex', input.at, (input.at += 16))
      run = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    } else run = input.utf8(input.uint())
    const startedAt = readDouble(input)
    const outcome = TEST_OUTCOMES[input.byte()]
    if (outcome === undefined) throw new BlobError('unknown test outcome')
    const duration = readDouble(input)
    const events = input.uint()
    tests.push({ position, name, run, kept: false, startedAt, outcome, duration, events })
  }
  return tests
}

/**
 * Writes pack `pack` of session `session` (local key) as `tests`, the last of which has just
 * ended, and drops that test's row of `tests`.
 */
export function storeTestPack(db: Db, session: number, pack: number, tests: PackedTest[]): void {
  const last = tests[tests.length - 1]
  if (last === undefined) return
  db.prepare('INSERT OR REPLACE INTO test_packs (run, pack, data) VALUES (?, ?, ?)').run(
    session,
    pack,
    encodePack(tests),
  )
  db.prepare('DELETE FROM tests WHERE run = ? AND position = ?').run(session, last.position)
}

/** The packed tests of session `session` (local key), in no particular order. */
export function readTestPacks(db: Db, session: number): SessionTest[] {
  const blobs = db
    .prepare('SELECT data FROM test_packs WHERE run = ? ORDER BY pack')
    .pluck()
    .all(session) as Buffer[]
  return blobs.flatMap(decodePack)
}
