import { describe, expect, it } from 'vitest'
import {
  FrameReader,
  MAGIC,
  MAX_FRAME_BYTES,
  WIRE_VERSION,
  WireError,
} from '../../shared/wire/frames.js'

const HEADER = Uint8Array.from([...MAGIC, WIRE_VERSION])

function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length)
  new DataView(out.buffer).setUint32(0, payload.length, true)
  out.set(payload, 4)
  return out
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function payload(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff)
}

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex')

/** Feeds the chunks to a new reader and returns the payloads it gave, as hex. */
function read(chunks: Uint8Array[]): { payloads: string[]; reader: FrameReader } {
  const reader = new FrameReader()
  const payloads: string[] = []
  for (const chunk of chunks) payloads.push(...reader.push(chunk).map(hex))
  return { payloads, reader }
}

const PAYLOADS = [payload(3, 1), payload(0, 0), payload(300, 7), payload(1, 9)]
const STREAM = concat(HEADER, ...PAYLOADS.map(frame))
const EXPECTED = PAYLOADS.map(hex)

describe('FrameReader', () => {
  it('yields every payload of a stream given in one chunk', () => {
    const { payloads, reader } = read([STREAM])
    expect(payloads).toEqual(EXPECTED)
    expect(reader.incomplete).toBe(false)
  })

  it('yields the same payloads when the stream is split in two at every byte boundary', () => {
    for (let at = 0; at <= STREAM.length; at++) {
      const { payloads, reader } = read([STREAM.slice(0, at), STREAM.slice(at)])
      expect(payloads, `split at ${at}`).toEqual(EXPECTED)
      expect(reader.incomplete).toBe(false)
    }
  })

  it('yields the same payloads when the stream arrives one byte at a time', () => {
    const chunks = Array.from(STREAM, (byte) => Uint8Array.of(byte))
    expect(read(chunks).payloads).toEqual(EXPECTED)
  })

  it('yields the same payloads when the stream is split in three at many pairs of boundaries', () => {
    for (let a = 0; a <= STREAM.length; a += 7) {
      for (let b = a; b <= STREAM.length; b += 5) {
        const chunks = [STREAM.slice(0, a), STREAM.slice(a, b), STREAM.slice(b)]
        expect(read(chunks).payloads, `split at ${a} and ${b}`).toEqual(EXPECTED)
      }
    }
  })

  it('reads a frame whose length needs three bytes', () => {
    const big = payload(70_000, 3)
    const stream = concat(HEADER, frame(big), frame(payload(2, 2)))
    for (const at of [1, 5, 6, 8, 9, 40_000, stream.length - 7, stream.length - 1]) {
      expect(read([stream.slice(0, at), stream.slice(at)]).payloads).toEqual([
        hex(big),
        hex(payload(2, 2)),
      ])
    }
  })

  it('gives each payload once, in the push that completes it', () => {
    const reader = new FrameReader()
    const first = frame(payload(4, 1))
    expect(reader.push(concat(HEADER, first.slice(0, 6)))).toEqual([])
    expect(reader.push(first.slice(6)).map(hex)).toEqual([hex(payload(4, 1))])
    expect(reader.push(new Uint8Array(0))).toEqual([])
  })

  it('throws WireError on a stream that does not start with the magic', () => {
    expect(() => new FrameReader().push(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).toThrow(
      WireError,
    )
    expect(() => new FrameReader().push(Uint8Array.from([0x53, 0x4d, 0x4c, 0x58, 1]))).toThrow(
      /not a Smiley event stream/,
    )
  })

  it('throws WireError on bad magic that arrives over several chunks', () => {
    const reader = new FrameReader()
    expect(reader.push(Uint8Array.from([0x53, 0x4d]))).toEqual([])
    expect(() => reader.push(Uint8Array.from([0x4c, 0x00, 0x01, 0, 0, 0, 0]))).toThrow(WireError)
  })

  it('throws WireError naming the version of a stream from another version', () => {
    const reader = new FrameReader()
    expect(() => reader.push(Uint8Array.from([...MAGIC, 2, 0, 0, 0, 0]))).toThrow(WireError)
    expect(() => new FrameReader().push(Uint8Array.from([...MAGIC, 2]))).toThrow(
      /version 2 is not supported/,
    )
    expect(() => new FrameReader().push(Uint8Array.from([...MAGIC, 0]))).toThrow(WireError)
  })

  it('throws WireError on a frame longer than the limit', () => {
    const length = new Uint8Array(4)
    new DataView(length.buffer).setUint32(0, MAX_FRAME_BYTES + 1, true)
    expect(() => new FrameReader().push(concat(HEADER, length))).toThrow(WireError)
    expect(() =>
      new FrameReader().push(concat(HEADER, Uint8Array.from([0xff, 0xff, 0xff, 0xff]))),
    ).toThrow(/too large/)
  })

  it('is incomplete when the stream stops in the middle of a frame', () => {
    const ends = new Set<number>()
    let at = HEADER.length
    for (const p of PAYLOADS) ends.add((at += 4 + p.length))
    for (let cut = HEADER.length + 1; cut < STREAM.length; cut++) {
      const { reader } = read([STREAM.slice(0, cut)])
      expect(reader.incomplete, `cut at ${cut}`).toBe(!ends.has(cut))
    }
  })

  it('is not incomplete after the header alone or after nothing', () => {
    expect(read([HEADER]).reader.incomplete).toBe(false)
    expect(new FrameReader().incomplete).toBe(false)
  })

  it('yields the complete frames before the point where a stream stops', () => {
    const cut = STREAM.length - 2
    const { payloads, reader } = read([STREAM.slice(0, cut)])
    expect(payloads).toEqual(EXPECTED.slice(0, 3))
    expect(reader.incomplete).toBe(true)
  })
})
