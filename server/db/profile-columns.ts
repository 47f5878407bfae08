/**
 * A profile's functions and calls as columns of varints, brotli-compressed: the compact form
 * profile-blob.ts writes. Columns of like values side by side, ids and callees as differences,
 * and times as whole nanoseconds (what cProfile measures) compress to less than half of the
 * same numbers as JSON text. Every number reads back as the same double: a time that is not
 * a whole number of nanoseconds is stored as its eight bytes beside its column.
 *
 *   uint files, functions, calls; each file (uint length, UTF-8)
 *   functions by id: id − previous id, file index, line, name (uint length, UTF-8),
 *     primitive calls, calls − primitive calls, total ns (+ exceptions), cumulative − total ns (+ exceptions)
 *   calls by callee, then caller: callee − previous callee, caller (− previous caller of the
 *     same callee), primitive calls, calls − primitive calls, total ns (+ exceptions),
 *     cumulative − total ns (+ exceptions)
 *   exceptions of a time column: uint count, then (uint index − previous index, float64 LE) each
 */

import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'
import type { ProfileCall, ProfileFunction } from '../../shared/types/profile.js'
import { BlobError, ByteReader, ByteWriter, utf8Length } from './bytes.js'

/** Brotli's quality 5: most of quality 11's gain at a hundredth of its time, measured on a
 * pytest session's profile (86 KB in 7 ms against 81 KB in 950 ms). */
const QUALITY = 5
const LARGEST_NS = 2 ** 51

/** `seconds` as whole nanoseconds, when they read back as exactly the same double. */
function nanoseconds(seconds: number): number | null {
  // + 0 and Object.is: −0 is no whole number of nanoseconds here, so that it keeps its sign.
  const ns = Math.round(seconds * 1e9) + 0
  return Math.abs(ns) < LARGEST_NS && Object.is(ns * 1e-9, seconds) ? ns : null
}

function writeText(out: ByteWriter, text: string): void {
  const length = utf8Length(text)
  out.uint(length)
  out.utf8(text, length)
}

/**
 * A column of times, each as whole nanoseconds less its base's (0 for none), and after it the
 * times that are not whole nanoseconds, or whose base is not, as raw doubles.
 */
function writeTimes(out: ByteWriter, times: number[], bases: number[] | null): void {
  const exceptions: number[] = []
  times.forEach((time, i) => {
    const ns = nanoseconds(time)
    const base = bases === null ? 0 : nanoseconds(bases[i]!)
    if (ns === null || base === null) {
      exceptions.push(i)
      out.int(0)
    } else out.int(ns - base)
  })
  out.uint(exceptions.length)
  const double = Buffer.alloc(8)
  let previous = 0
  for (const i of exceptions) {
    out.uint(i - previous)
    previous = i
    double.writeDoubleLE(times[i]!)
    out.append(double)
  }
}

function readTimes(input: ByteReader, count: number, bases: number[] | null): number[] {
  const times = Array.from({ length: count }, (_, i) => {
    const base = bases === null ? 0 : Math.round(bases[i]! * 1e9)
    return (input.int() + base) * 1e-9
  })
  let index = 0
  for (let left = input.uint(); left > 0; left--) {
    index += input.uint()
    if (index >= count || input.at + 8 > input.bytes.length) throw new BlobError('bad profile')
    times[index] = input.bytes.readDoubleLE(input.at)
    input.at += 8
  }
  return times
}

/** The compressed columns of a profile's functions and calls. */
export function encodeColumns(functions: ProfileFunction[], calls: ProfileCall[]): Buffer {
  const byId = [...functions].sort((a, b) => a.id - b.id)
  const byCallee = [...calls].sort((a, b) => a.callee - b.callee || a.caller - b.caller)
  const files = new Map<string, number>()
  for (const f of byId) if (!files.has(f.file)) files.set(f.file, files.size)
  const out = new ByteWriter(64 * 1024)
  out.uint(files.size)
  out.uint(byId.length)
  out.uint(byCallee.length)
  for (const file of files.keys()) writeText(out, file)
  let previousId = 0
  for (const f of byId) {
    out.int(f.id - previousId)
    previousId = f.id
    out.uint(files.get(f.file)!)
    out.int(f.line)
    writeText(out, f.name)
    out.int(f.primitiveCalls)
    out.int(f.calls - f.primitiveCalls)
  }
  const totals = byId.map((f) => f.totalTime)
  writeTimes(out, totals, null)
  writeTimes(
    out,
    byId.map((f) => f.cumulativeTime),
    totals,
  )
  let previous = { callee: 0, caller: 0 }
  for (const c of byCallee) {
    out.int(c.callee - previous.callee)
    out.int(c.callee === previous.callee ? c.caller - previous.caller : c.caller)
    previous = c
    out.int(c.primitiveCalls)
    out.int(c.calls - c.primitiveCalls)
  }
  const callTotals = byCallee.map((c) => c.totalTime)
  writeTimes(out, callTotals, null)
  writeTimes(
    out,
    byCallee.map((c) => c.cumulativeTime),
    callTotals,
  )
  return brotliCompressSync(out.view(), {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: out.length,
    },
  })
}

/** A profile's functions (in id order) and calls (by callee, then caller), from its columns. */
export function decodeColumns(compressed: Buffer): {
  functions: ProfileFunction[]
  calls: ProfileCall[]
} {
  const input = new ByteReader(brotliDecompressSync(compressed))
  const fileCount = input.uint()
  const functionCount = input.uint()
  const callCount = input.uint()
  const files = Array.from({ length: fileCount }, () => input.utf8(input.uint()))
  let id = 0
  const functions = Array.from({ length: functionCount }, () => {
    id += input.int()
    const file = files[input.uint()]
    if (file === undefined) throw new BlobError('bad profile')
    const line = input.int()
    const name = input.utf8(input.uint())
    const primitiveCalls = input.int()
    const calls = primitiveCalls + input.int()
    return { id, file, line, name, primitiveCalls, calls, totalTime: 0, cumulativeTime: 0 }
  })
  const totals = readTimes(input, functionCount, null)
  const cumulatives = readTimes(input, functionCount, totals)
  functions.forEach((f, i) => {
    f.totalTime = totals[i]!
    f.cumulativeTime = cumulatives[i]!
  })
  let previous = { callee: 0, caller: 0 }
  const calls = Array.from({ length: callCount }, () => {
    const callee = previous.callee + input.int()
    const caller = input.int() + (callee === previous.callee ? previous.caller : 0)
    previous = { callee, caller }
    const primitiveCalls = input.int()
    const calls = primitiveCalls + input.int()
    return { caller, callee, primitiveCalls, calls, totalTime: 0, cumulativeTime: 0 }
  })
  const callTotals = readTimes(input, callCount, null)
  const callCumulatives = readTimes(input, callCount, callTotals)
  calls.forEach((c, i) => {
    c.totalTime = callTotals[i]!
    c.cumulativeTime = callCumulatives[i]!
  })
  return { functions, calls }
}
