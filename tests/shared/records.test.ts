import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WireError } from '../../shared/wire/frames.js'
import { loads, PyDict } from '../../shared/wire/marshal.js'
import type { PyValue } from '../../shared/wire/marshal.js'
import { parseRecord, TAG } from '../../shared/wire/records.js'
import { ROOT } from '../support/cli.js'

const { vectors } = JSON.parse(
  readFileSync(join(ROOT, 'shared', 'wire', 'vectors.json'), 'utf8'),
) as {
  vectors: Array<{ description: string; hex: string }>
}
const vector = (description: string) =>
  loads(
    Uint8Array.from(Buffer.from(vectors.find((v) => v.description === description)!.hex, 'hex')),
  )

const stats = new PyDict([
  [
    ['prog.py', 3, 'main'],
    [1, 1, 0.5, 0.75, new PyDict([])],
  ],
])

/** A well-formed record of every tag. */
const GOOD: Record<keyof typeof TAG, PyValue[]> = {
  call: [0, 7, 10, 99.25, [1, 2, "'x'"], 3, 0, 1, 0],
  task: [29, 3, 'alpha', 1],
  await: [30, 1, 3],
  line: [1, 7, 11, 99.5, [1, 2, "'y'", 4, 0, null]],
  return: [2, 7, 12, 99.75, null, 2, "'y'"],
  exception: [3, 7, 12, 99.6, null, 5, 'boom'],
  yield: [4, 7, 12, 99.7, [], 2, '1'],
  hello: [
    16,
    new PyDict([
      ['run', 'abc'],
      ['pid', 42],
      [[1, 2], 'not a string key'],
    ]),
  ],
  code: [17, 3, 1, 'main', 'Main.main', 10],
  file: [18, 1, '/srv/prog.py', 'print(1)\n'],
  thread: [19, 1, 140234, 'MainThread'],
  symbol: [20, 4, 'total'],
  profile: [21, stats],
  end: [
    22,
    new PyDict([
      ['ended', 1700000000.5],
      ['exitStatus', 3],
    ]),
  ],
  notice: [23, 'tracing stopped: too many events'],
  lost: [24, 1200],
  test: [
    25,
    2,
    new PyDict([
      ['id', 'tests/test_x.py::test_y[1]'],
      ['started', 1700000000.5],
    ]),
  ],
  within: [26, 0],
  outcome: [
    27,
    2,
    new PyDict([
      ['outcome', 'failed'],
      ['duration', 0.25],
    ]),
  ],
  child: [28, 4121, 1700000000.5],
}

describe('parseRecord', () => {
  it('parses the call event of the test vectors', () => {
    expect(parseRecord(vector('a call event'))).toEqual({
      tag: TAG.call,
      frame: 7,
      line: 10,
      time: 99.25,
      locals: [1, 2, "'x'"],
      code: 3,
      parent: 0,
      thread: 1,
      depth: 0,
      task: 0,
    })
  })

  it('parses the task of a call that runs in one, and the task and await records', () => {
    expect(parseRecord([0, 7, 10, 99.25, null, 3, 0, 1, 0, 12])).toMatchObject({ task: 12 })
    expect(parseRecord(GOOD.task)).toEqual({ tag: TAG.task, task: 3, name: 'alpha', thread: 1 })
    expect(parseRecord(GOOD.await)).toEqual({ tag: TAG.await, task: 1, awaited: 3 })
  })

  it('parses the line event of the test vectors, with a deleted variable', () => {
    expect(parseRecord(vector('a line event'))).toEqual({
      tag: TAG.line,
      frame: 12,
      line: 40,
      time: 1234.5,
      changes: [3, 1, '42', 4, 0, null],
    })
  })

  it('parses a resumed generator call, whose locals are None', () => {
    const record = parseRecord([0, 7, 15, 100, null, 3, 2, 1, 1])
    expect(record).toMatchObject({
      tag: TAG.call,
      frame: 7,
      line: 15,
      locals: null,
      parent: 2,
      depth: 1,
    })
  })

  it('parses a return', () => {
    expect(parseRecord(GOOD.return)).toEqual({
      tag: TAG.return,
      frame: 7,
      line: 12,
      time: 99.75,
      changes: null,
      valueType: 2,
      value: "'y'",
    })
  })

  it('parses a return left by an exception, with value type 0 and no value', () => {
    expect(parseRecord([2, 7, 12, 99.75, null, 0, null])).toMatchObject({
      tag: TAG.return,
      valueType: 0,
      value: null,
    })
  })

  it('parses a yield', () => {
    expect(parseRecord(GOOD.yield)).toEqual({
      tag: TAG.yield,
      frame: 7,
      line: 12,
      time: 99.7,
      changes: [],
      valueType: 2,
      value: '1',
    })
  })

  it('parses an exception', () => {
    expect(parseRecord(GOOD.exception)).toEqual({
      tag: TAG.exception,
      frame: 7,
      line: 12,
      time: 99.6,
      changes: null,
      exceptionType: 5,
      message: 'boom',
    })
  })

  it('parses hello into an object of its string keys', () => {
    expect(parseRecord(GOOD.hello)).toEqual({ tag: TAG.hello, info: { run: 'abc', pid: 42 } })
  })

  it('parses end into an object of its string keys', () => {
    expect(parseRecord(GOOD.end)).toEqual({
      tag: TAG.end,
      info: { ended: 1700000000.5, exitStatus: 3 },
    })
  })

  it('parses code, file, thread and symbol definitions', () => {
    expect(parseRecord(GOOD.code)).toEqual({
      tag: TAG.code,
      code: 3,
      file: 1,
      name: 'main',
      qualifiedName: 'Main.main',
      firstLine: 10,
    })
    expect(parseRecord(GOOD.file)).toEqual({
      tag: TAG.file,
      file: 1,
      path: '/srv/prog.py',
      source: 'print(1)\n',
    })
    expect(parseRecord([18, 2, '<frozen>', null])).toEqual({
      tag: TAG.file,
      file: 2,
      path: '<frozen>',
      source: null,
    })
    expect(parseRecord(GOOD.thread)).toEqual({
      tag: TAG.thread,
      thread: 1,
      ident: 140234,
      name: 'MainThread',
    })
    expect(parseRecord(GOOD.symbol)).toEqual({ tag: TAG.symbol, symbol: 4, text: 'total' })
  })

  it('turns a thread ident that arrives as a bigint into a number', () => {
    expect(parseRecord([19, 2, 2n ** 60n, 'worker'])).toEqual({
      tag: TAG.thread,
      thread: 2,
      ident: 2 ** 60,
      name: 'worker',
    })
  })

  it('parses a profile record, keeping the dict with its tuple keys', () => {
    const record = parseRecord(GOOD.profile)
    expect(record).toEqual({ tag: TAG.profile, stats })
    expect(record.tag === TAG.profile && record.stats).toBeInstanceOf(PyDict)
  })

  it('parses the marks of a test: where it starts, whose events follow, how it ended', () => {
    expect(parseRecord(GOOD.test)).toEqual({
      tag: TAG.test,
      test: 2,
      info: { id: 'tests/test_x.py::test_y[1]', started: 1700000000.5 },
    })
    expect(parseRecord(GOOD.within)).toEqual({ tag: TAG.within, test: 0 })
    expect(parseRecord(GOOD.outcome)).toEqual({
      tag: TAG.outcome,
      test: 2,
      info: { outcome: 'failed', duration: 0.25 },
    })
    expect(() => parseRecord([25, 'x', new PyDict([])])).toThrow(WireError)
    expect(() => parseRecord([27, 1])).toThrow(WireError)
  })

  it('parses a notice', () => {
    expect(parseRecord(GOOD.notice)).toEqual({
      tag: TAG.notice,
      message: 'tracing stopped: too many events',
    })
  })

  it('parses the count of events a forwarder lost', () => {
    expect(parseRecord(GOOD.lost)).toEqual({ tag: TAG.lost, count: 1200 })
  })
})

describe('parseRecord on malformed records', () => {
  it.each(Object.entries(GOOD))(
    'throws WireError on a %s record with a field too many or too few',
    (_, record) => {
      // A call's task is its one optional field: one more than that is too many.
      const extra = record[0] === TAG.call ? [0, 0] : [0]
      expect(() => parseRecord([...record, ...extra])).toThrow(WireError)
      expect(() => parseRecord(record.slice(0, -1))).toThrow(WireError)
      expect(() => parseRecord(record.slice(0, 1))).toThrow(WireError)
    },
  )

  it('says how many fields a record has and should have', () => {
    expect(() => parseRecord([20, 4])).toThrow(/record 20 has 2 fields, not 3/)
  })

  it.each([
    ['a call whose frame is text', [0, '7', 10, 99.25, null, 3, 0, 1, 0]],
    ['a call whose time is text', [0, 7, 10, '99.25', null, 3, 0, 1, 0]],
    ['a call whose depth is a float', [0, 7, 10, 99.25, null, 3, 0, 1, 0.5]],
    ['a line whose line is None', [1, 7, null, 99.5, null]],
    ['a line whose changes are not triples', [1, 7, 11, 99.5, [1, 2]]],
    ['a line whose changes name is text', [1, 7, 11, 99.5, ['x', 2, '1']]],
    ['a line whose change type is text', [1, 7, 11, 99.5, [1, 'int', '1']]],
    ['a line whose change text is a number', [1, 7, 11, 99.5, [1, 2, 3]]],
    ['a line whose change has a type but no text', [1, 7, 11, 99.5, [1, 2, null]]],
    ['a line whose changes are a dict', [1, 7, 11, 99.5, new PyDict([])]],
    ['a return whose value is a number', [2, 7, 12, 99.75, null, 2, 5]],
    ['an exception without a message', [3, 7, 12, 99.6, null, 5, null]],
    ['a hello that is not a dict', [16, [['run', 'abc']]]],
    ['an end that is None', [22, null]],
    ['a code whose name is None', [17, 3, 1, null, 'main', 10]],
    ['a code whose first line is a bool', [17, 3, 1, 'main', 'main', true]],
    ['a file whose path is bytes', [18, 1, new Uint8Array([0x61]), null]],
    ['a thread whose name is None', [19, 1, 140234, null]],
    ['a symbol whose text is a number', [20, 4, 5]],
    ['a profile that is a tuple', [21, []]],
    ['a notice that is None', [23, null]],
    ['a lost count that is text', [24, '12']],
    ['a call whose task is text', [0, 7, 10, 99.25, null, 3, 0, 1, 0, 'alpha']],
    ['a task whose name is None', [29, 3, null, 1]],
    ['an await whose task is text', [30, 'main', 3]],
  ] as Array<[string, PyValue[]]>)('throws WireError on %s', (_, record) => {
    expect(() => parseRecord(record)).toThrow(WireError)
  })

  it.each([
    ['an unknown number', [5, 1, 2]],
    ['a tag between the ranges', [15]],
    ['a tag after await', [31, 'x']],
    ['a tag given as text', ['call', 7, 10, 99.25, null, 3, 0, 1, 0]],
    ['a tag that is None', [null, 1]],
  ] as Array<[string, PyValue[]]>)('throws WireError on %s as tag', (_, record) => {
    expect(() => parseRecord(record)).toThrow(WireError)
    expect(() => parseRecord(record)).toThrow(/unknown record tag/)
  })

  it.each([
    ['an empty tuple', []],
    ['a number', 1],
    ['None', null],
    ['a dict', new PyDict([['tag', 0]])],
    ['text', 'call'],
  ] as Array<[string, PyValue]>)('throws WireError on %s instead of a record', (_, value) => {
    expect(() => parseRecord(value)).toThrow(WireError)
  })
})
