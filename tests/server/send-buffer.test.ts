import { describe, expect, it } from 'vitest'
import { FrameReader } from '../../shared/wire/frames.js'
import { dumps, loads, PyDict, type PyValue } from '../../shared/wire/marshal.js'
import { parseRecord, TAG, type WireRecord } from '../../shared/wire/records.js'
import { SendBuffer, type Batch } from '../../server/remote/send-buffer.js'

const HEADER = [0x53, 0x4d, 0x4c, 0x59, 0x01]

/** A frame as the tracer writes it: a length, then a marshalled list of records. */
function frame(records: PyValue[][]): Uint8Array {
  const items = records.map((record) => dumps(record))
  const size = 5 + items.reduce((sum, item) => sum + item.length, 0)
  const bytes = new Uint8Array(4 + size)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, size, true)
  bytes[4] = 0x5b
  view.setInt32(5, items.length, true)
  let at = 9
  for (const item of items) {
    bytes.set(item, at)
    at += item.length
  }
  return bytes
}

const line = (n: number): PyValue[] => [1, 7, n, 1.5, null]
const symbol = (id: number, text: string): PyValue[] => [20, id, text]
const hello: PyValue[] = [16, new PyDict([['run', 'abc']])]

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]))
}

function drain(buffer: SendBuffer, maxBytes = 1 << 20): Batch[] {
  const batches: Batch[] = []
  for (let batch = buffer.take(maxBytes); batch !== null; batch = buffer.take(maxBytes)) {
    batches.push(batch)
    buffer.release(batch)
  }
  return batches
}

function records(bytes: Uint8Array): WireRecord[] {
  return new FrameReader()
    .push(bytes)
    .flatMap((payload) => (loads(payload) as PyValue[]).map((value) => parseRecord(value)))
}

describe('SendBuffer', () => {
  it('passes the stream on byte for byte while it stays under its limit', () => {
    const frames = [frame([hello, symbol(1, 'x')]), frame([line(1), line(2)])]
    const stream = concat([Uint8Array.from(HEADER), ...frames])
    const buffer = new SendBuffer(1 << 20)
    buffer.push(stream.subarray(0, 7))
    buffer.push(stream.subarray(7))
    const batches = drain(buffer)
    expect(concat(batches.map((b) => b.bytes))).toEqual(stream)
    expect(buffer.dropped).toBe(0)
    expect(buffer.empty).toBe(true)
  })

  it('splits the stream into batches of at most the size asked, each with its offset', () => {
    const frames = [frame([hello]), ...Array.from({ length: 20 }, (_, i) => frame([line(i)]))]
    const stream = concat([Uint8Array.from(HEADER), ...frames])
    const buffer = new SendBuffer(1 << 20)
    buffer.push(stream)
    const batches = drain(buffer, 50)
    expect(batches.every((b) => b.bytes.length <= 50)).toBe(true)
    expect(batches.map((b) => b.offset)).toEqual(batches.map((_, i) => i * 50))
    expect(concat(batches.map((b) => b.bytes))).toEqual(stream)
  })

  it('drops the events of frames past its limit, keeps their definitions and says how many', () => {
    const buffer = new SendBuffer(100)
    buffer.push(concat([Uint8Array.from(HEADER), frame([hello, line(1)])]))
    const held = buffer.take(1 << 20)!
    buffer.push(frame([line(2), symbol(1, 'total'), line(3)]))
    buffer.push(frame(Array.from({ length: 30 }, (_, i) => line(10 + i))))
    expect(buffer.dropped).toBe(32)
    buffer.release(held)
    const after = drain(buffer)
    expect(records(concat([held.bytes, ...after.map((b) => b.bytes)]))).toEqual([
      { tag: TAG.hello, info: { run: 'abc' } },
      { tag: TAG.line, frame: 7, line: 1, time: 1.5, changes: null },
      { tag: TAG.symbol, symbol: 1, text: 'total' },
      { tag: TAG.lost, count: 32 },
    ])
  })

  it('counts as unsent the events nobody acknowledged once the recorder is given up', () => {
    const buffer = new SendBuffer(1 << 20)
    buffer.push(concat([Uint8Array.from(HEADER), frame([hello, line(1), line(2)])]))
    const unacknowledged = buffer.take(1 << 20)
    buffer.push(frame([line(3)]))
    buffer.discard(unacknowledged)
    buffer.push(frame([line(4), symbol(2, 'y'), line(5)]))
    expect(buffer.unsent).toBe(5)
    expect(buffer.take(1 << 20)).toBeNull()
  })
})
