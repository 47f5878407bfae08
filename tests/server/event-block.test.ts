/** The event block format: what goes in comes out, byte for byte of text, and bad blobs are refused. */

import { describe, expect, it } from 'vitest'
import { BlobError } from '../../server/db/bytes.js'
import {
  BlockEncoder,
  decodeBlock,
  decodeLocalsBlob,
  encodeLocalsBlob,
  KIND,
  type StoredEvent,
  type StoredKind,
} from '../../server/db/event-block.js'
import type { FlatChanges } from '../../shared/wire/records.js'

interface Input {
  kind: StoredKind
  frame: number
  function: number
  thread: number
  depth: number
  task: number
  line: number
  us: number
  locals: FlatChanges | null
  valueType: number
  value: string | null
}

const call = (frame: number, more: Partial<Input> = {}): Input => ({
  kind: KIND.call,
  frame,
  function: 7,
  thread: 1,
  depth: 0,
  task: 0,
  line: 10,
  us: 0,
  locals: null,
  valueType: 0,
  value: null,
  ...more,
})

function roundTrip(inputs: Input[], firstSeq = 1): StoredEvent[] {
  const encoder = new BlockEncoder(firstSeq)
  for (const input of inputs) {
    const { kind, frame, line, us, locals, valueType, value } = input
    encoder.add(kind, frame, input, line, us, locals, valueType, value)
  }
  return decodeBlock(encoder.bytes(), firstSeq)
}

/** What the decoder should give for `inputs`. */
function expected(inputs: Input[], firstSeq = 1): StoredEvent[] {
  return inputs.map((input, index) => {
    const locals: StoredEvent['locals'] = []
    const flat = input.locals ?? []
    for (let i = 0; i < flat.length; i += 3) {
      const text = flat[i + 2]
      locals.push(
        typeof text === 'string'
          ? { name: flat[i] as number, type: flat[i + 1] as number, text }
          : { name: flat[i] as number, type: 0, text: null },
      )
    }
    const valued = input.kind >= KIND.return
    return {
      seq: firstSeq + index,
      kind: input.kind,
      thread: input.thread,
      task: input.task,
      frame: input.frame,
      depth: input.depth,
      function: input.function,
      line: input.line,
      us: input.us,
      locals: locals.length === 0 ? null : locals,
      valueType: valued && input.valueType !== 0 ? input.valueType : null,
      value: valued ? input.value : null,
    }
  })
}

describe('an event block', () => {
  it('gives back every field of every kind of event', () => {
    const inputs: Input[] = [
      call(5, { us: 1_000_000_000_123, locals: [1, 2, 'a', 3, 2, '4'] }),
      { ...call(5), kind: KIND.line, line: 11, us: 1_000_000_000_123, locals: [1, 2, 'b'] },
      call(6, { function: 8, depth: 1, line: 1, us: 1_000_000_000_200 }),
      {
        ...call(6, { function: 8, depth: 1 }),
        kind: KIND.exception,
        line: 2,
        us: 1_000_000_000_199,
        valueType: 9,
        value: 'boom',
      },
      {
        ...call(6, { function: 8, depth: 1 }),
        kind: KIND.return,
        line: 2,
        us: 1_000_000_000_300,
        valueType: 0,
        value: null,
      },
      { ...call(5), kind: KIND.line, line: 3, us: 1_000_000_000_301, locals: [1, 0, null] },
      { ...call(5), kind: KIND.yield, line: 3, us: 1_000_000_000_302, valueType: 4, value: '-12' },
      call(5, { thread: 2, depth: 3, task: 4, line: 3, us: 1_000_000_000_400 }),
      {
        ...call(5, { thread: 2, depth: 3, task: 4 }),
        kind: KIND.return,
        line: 100_000,
        us: 1_000_000_000_401,
        valueType: 4,
        value: '',
      },
    ]
    expect(roundTrip(inputs, 4097)).toEqual(expected(inputs, 4097))
  })

  it('keeps the text of values that only look like numbers', () => {
    const texts = [
      '0',
      '-1',
      '-0',
      '007',
      '+5',
      '1e3',
      '9007199254740993',
      '123456789012345',
      '1234567890123456',
      ' 1',
      '-',
      '',
    ]
    const inputs = texts.map((text, i) => ({
      ...call(1),
      kind: i === 0 ? KIND.call : KIND.line,
      locals: [1, 2, text, 2, 2, text],
    }))
    expect(roundTrip(inputs)).toEqual(expected(inputs))
  })

  it('keeps text byte for byte, a lone surrogate and a long repr changed in its middle too', () => {
    const long = (middle: string) => `<Thing ${'a'.repeat(40)}${middle}${'z'.repeat(40)}>`
    const texts = [
      long('1'),
      long('22'),
      long(''),
      long('😀'),
      long('😃'),
      long('\ud83d'),
      long('é\udcff'),
      'x\ud800y',
      long('\ude00'),
      '😀'.repeat(30) + '!',
      '😀'.repeat(30) + '?',
      '😃' + '😀'.repeat(29) + '?',
    ]
    const inputs = texts.map((text, i) => ({
      ...call(1),
      kind: i === 0 ? KIND.call : KIND.line,
      locals: [1, 2, text],
    }))
    expect(roundTrip(inputs)).toEqual(expected(inputs))
  })

  it('keeps long texts whose UTF-8 takes a longer length than their characters suggest', () => {
    // A text's length is written before it, sized from its characters and widened if its
    // bytes need more: around each boundary of one, two and three bytes of length.
    const texts: string[] = []
    for (const count of [33, 62, 63, 64, 8190, 8191, 8192])
      for (const unit of ['a', 'é', '€', '😀', 'a\ud800']) texts.push(unit.repeat(count))
    texts.push('€'.repeat(100_000))
    const inputs = texts.map((text, i) => ({
      ...call(i + 1),
      kind: KIND.return,
      valueType: 3,
      value: text,
      locals: [1, 2, text.slice(1)] as FlatChanges,
    }))
    expect(roundTrip(inputs)).toEqual(expected(inputs))
  })

  it('says the function, thread, depth and task of a frame whose call was in an earlier block', () => {
    const inputs: Input[] = [
      { ...call(40, { function: 3, thread: 2, depth: 7, task: 300 }), kind: KIND.line, line: 5 },
      call(41, { depth: 8 }),
      {
        ...call(40, { function: 3, thread: 2, depth: 7, task: 300 }),
        kind: KIND.return,
        valueType: 1,
        value: 'None',
      },
    ]
    expect(roundTrip(inputs)).toEqual(expected(inputs))
  })

  it('is small: a few bytes for a line event, less for a long repr that changed a little', () => {
    const encoder = new BlockEncoder(1)
    const info = { function: 1, thread: 1, depth: 0, task: 0 }
    encoder.add(KIND.call, 1, info, 1, 0, null, 0, null)
    for (let i = 0; i < 1000; i++)
      encoder.add(
        KIND.line,
        1,
        info,
        2 + (i % 3),
        i,
        [1, 2, String(i * 7), 3, 4, `[${'1, '.repeat(60)}${i}]`],
        0,
        null,
      )
    expect(encoder.bytes().length / 1000).toBeLessThan(20)
  })

  it('refuses a blob that is cut short, of another format or of garbage', () => {
    const encoder = new BlockEncoder(1)
    encoder.add(
      KIND.call,
      1,
      { function: 1, thread: 1, depth: 0, task: 0 },
      1,
      0,
      [1, 2, 'hello'],
      0,
      null,
    )
    const bytes = encoder.bytes()
    expect(() => decodeBlock(bytes.subarray(0, bytes.length - 2), 1)).toThrow(BlobError)
    expect(() => decodeBlock(Buffer.from([9, 0]), 1)).toThrow(BlobError)
    expect(() => decodeBlock(Buffer.from([1, 0, 0x07]), 1)).toThrow(BlobError)
    expect(() => decodeBlock(Buffer.from([1, 0, 0x01, 0x02, 0x00]), 1)).toThrow(BlobError)
    expect(() =>
      decodeBlock(Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1),
    ).toThrow(BlobError)
  })
})

describe('a frame snapshot', () => {
  it('gives back its variables, texts whole', () => {
    const flat = [1, 2, 'x'.repeat(300), 3, 4, '12', 5, 6, '\udc80']
    expect(decodeLocalsBlob(encodeLocalsBlob(flat))).toEqual([
      { name: 1, type: 2, text: 'x'.repeat(300) },
      { name: 3, type: 4, text: '12' },
      { name: 5, type: 6, text: '\udc80' },
    ])
    expect(decodeLocalsBlob(encodeLocalsBlob([]))).toEqual([])
  })
})
