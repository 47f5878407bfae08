import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dumps, loads, MarshalError, PyDict, PyFloat } from '../../shared/wire/marshal.js'
import type { PyValue, PyWritable } from '../../shared/wire/marshal.js'
import { ROOT } from '../support/cli.js'

type JsonForm = null | boolean | number | string | JsonForm[] | { [key: string]: JsonForm }

interface Vector {
  description: string
  hex: string
  value: JsonForm
}

const { vectors } = JSON.parse(
  readFileSync(join(ROOT, 'shared', 'wire', 'vectors.json'), 'utf8'),
) as {
  vectors: Vector[]
}

/** The JS value the decoder should give for a vector's JSON form (shared/wire/README.md). */
function expected(form: JsonForm): PyValue {
  if (
    form === null ||
    typeof form === 'boolean' ||
    typeof form === 'number' ||
    typeof form === 'string'
  )
    return form
  if (Array.isArray(form)) return form.map(expected)
  if ('dict' in form) {
    const entries = form['dict'] as JsonForm[][]
    return new PyDict(entries.map(([key, value]) => [expected(key!), expected(value!)]))
  }
  if ('bytes' in form) return Uint8Array.from(Buffer.from(form['bytes'] as string, 'hex'))
  if ('float' in form) return form['float'] as number
  if ('int' in form) return BigInt(form['int'] as string)
  throw new Error(`unknown JSON form ${JSON.stringify(form)}`)
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

function pythonRepr(data: Uint8Array): string {
  const result = spawnSync(
    'python3',
    ['-c', 'import marshal,sys; print(repr(marshal.loads(sys.stdin.buffer.read())))'],
    {
      input: data,
      encoding: 'utf8',
      env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    },
  )
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  return result.stdout.trimEnd()
}

describe('loads', () => {
  it('has test vectors to check', () => {
    expect(vectors.length).toBeGreaterThan(10)
  })

  it.each(vectors.map((v) => [v.description, v] as const))(
    'decodes the vector "%s" to its recorded value',
    (_, vector) => {
      expect(loads(fromHex(vector.hex))).toStrictEqual(expected(vector.value))
    },
  )

  it('gives integers beyond 2^53 as bigint and smaller ones as number', () => {
    const small = loads(
      fromHex(vectors.find((v) => v.description === 'ints beyond 32 bits')!.hex),
    ) as PyValue[]
    const big = loads(
      fromHex(vectors.find((v) => v.description === 'ints beyond 2^53')!.hex),
    ) as PyValue[]
    expect(small.map((v) => typeof v)).toEqual(['number', 'number', 'number', 'number', 'number'])
    expect(big.map((v) => typeof v)).toEqual(['bigint', 'bigint', 'bigint'])
  })

  it('returns the same object for a back-reference as for the value it refers to', () => {
    const value = loads(
      fromHex(vectors.find((v) => v.description === 'back-references to a repeated string')!.hex),
    )
    expect(value).toEqual(['repeated name', 'repeated name', ['repeated name']])
  })

  it('reads a string key of a dict with get and toObject', () => {
    const dict = loads(fromHex(vectors.find((v) => v.description === 'dict with string keys')!.hex))
    expect(dict).toBeInstanceOf(PyDict)
    expect((dict as PyDict).get('pid')).toBe(42)
    expect((dict as PyDict).get('missing')).toBeUndefined()
    expect((dict as PyDict).toObject()).toEqual({ run: 'abc', pid: 42, argv: ['prog.py', '-v'] })
  })

  it('accepts a view into a larger buffer', () => {
    const bytes = fromHex(vectors[0]!.hex)
    const padded = new Uint8Array(bytes.length + 10)
    padded.set(bytes, 5)
    expect(loads(padded.subarray(5, 5 + bytes.length))).toEqual([null, true, false])
  })
})

describe('dumps followed by loads', () => {
  const roundTrips: Array<[string, PyWritable, PyValue]> = [
    ['None and booleans', [null, true, false], [null, true, false]],
    ['int32 limits', [0, -1, 2147483647, -2147483648], [0, -1, 2147483647, -2147483648]],
    ['ints just beyond int32', [2147483648, -2147483649], [2147483648, -2147483649]],
    [
      'safe integers',
      [2 ** 45, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
      [2 ** 45, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
    ],
    [
      'big ints',
      [2n ** 100n, -(2n ** 64n), 9007199254740993n],
      [2n ** 100n, -(2n ** 64n), 9007199254740993n],
    ],
    [
      'floats',
      [0.5, -1.25, 1e300, 1234.567891, -0.000001],
      [0.5, -1.25, 1e300, 1234.567891, -0.000001],
    ],
    ['PyFloat with a whole value', [new PyFloat(2), new PyFloat(-0), new PyFloat(0)], [2, -0, 0]],
    [
      'non-ASCII strings',
      ['h\u00e9llo', '\u65e5\u672c', '\u{1f600}', 'a\udcffb', ''],
      ['h\u00e9llo', '\u65e5\u672c', '\u{1f600}', 'a\udcffb', ''],
    ],
    [
      'bytes',
      [new Uint8Array([]), new Uint8Array([0, 255, 1])],
      [new Uint8Array([]), new Uint8Array([0, 255, 1])],
    ],
    ['nested tuples', [1, [2, [3, []]]], [1, [2, [3, []]]]],
  ]

  it.each(roundTrips)('round-trips %s', (_, value, decoded) => {
    expect(loads(dumps(value))).toStrictEqual(decoded)
  })

  it('round-trips a long string', () => {
    const text = 'x\u00e9\u{1f600}'.repeat(10_000)
    expect(loads(dumps(text))).toBe(text)
  })

  it('round-trips a PyDict with tuple keys', () => {
    const dict = new PyDict([
      [
        ['prog.py', 3, 'main'],
        [
          1,
          1,
          0.5,
          0.75,
          new PyDict([
            [
              ['~', 0, '<built-in>'],
              [1, 1, 0.1, 0.1],
            ],
          ]),
        ],
      ],
      ['name', 'value'],
    ])
    expect(loads(dumps(dict))).toStrictEqual(dict)
  })

  it('writes a dict given as dictEntries and reads it back as a PyDict', () => {
    const value = loads(
      dumps({
        dictEntries: [
          [['a.py', 1, 'f'], 'x'],
          [2n ** 70n, null],
        ],
      }),
    )
    expect(value).toStrictEqual(
      new PyDict([
        [['a.py', 1, 'f'], 'x'],
        [2n ** 70n, null],
      ]),
    )
  })

  it('writes a PyFloat as a float even when its value is whole', () => {
    expect(dumps(new PyFloat(1))[0]).toBe(0x67)
    expect(dumps(1)[0]).toBe(0x69)
  })
})

describe('dumps, as Python reads it', () => {
  it('writes a pstats-shaped dict that marshal.loads reads back', () => {
    const stats: PyWritable = {
      dictEntries: [
        [
          ['prog.py', 3, 'main'],
          [
            1,
            1,
            new PyFloat(1),
            0.75,
            {
              dictEntries: [
                [
                  ['~', 0, '<built-in method builtins.print>'],
                  [2, 2, 0.125, 0.125],
                ],
              ],
            },
          ],
        ],
        [
          ['/srv/caf\u00e9.py', 10, 'work'],
          [2n ** 70n, 5, 0.5, new PyFloat(3), new PyDict([])],
        ],
      ],
    }
    expect(pythonRepr(dumps(stats))).toBe(
      "{('prog.py', 3, 'main'): (1, 1, 1.0, 0.75, {('~', 0, '<built-in method builtins.print>'): (2, 2, 0.125, 0.125)}), " +
        "('/srv/caf\u00e9.py', 10, 'work'): (1180591620717411303424, 5, 0.5, 3.0, {})}",
    )
  })

  it('writes ints of every size, floats, bytes and strings as Python reads them', () => {
    const value: PyWritable = [
      -2147483648,
      2147483648,
      -(2 ** 50),
      -(2n ** 64n),
      1e300,
      new Uint8Array([0, 0x41, 0xff]),
      '\u65e5\u672c \u{1f600}',
      null,
      true,
      false,
    ]
    expect(pythonRepr(dumps(value))).toBe(
      "(-2147483648, 2147483648, -1125899906842624, -18446744073709551616, 1e+300, b'\\x00A\\xff', '\u65e5\u672c \u{1f600}', None, True, False)",
    )
  })

  it('writes a lone surrogate as Python reads it with surrogatepass', () => {
    expect(pythonRepr(dumps('a\udcffb'))).toBe("'a\\udcffb'")
  })
})

describe('loads on malformed input', () => {
  it.each(vectors.map((v) => [v.description, v] as const))(
    'throws MarshalError on every truncation of "%s"',
    (_, vector) => {
      const bytes = fromHex(vector.hex)
      for (let length = 0; length < bytes.length; length++) {
        expect(() => loads(bytes.subarray(0, length)), `truncated to ${length} bytes`).toThrow(
          MarshalError,
        )
      }
    },
  )

  it('throws MarshalError on an unknown type byte', () => {
    expect(() => loads(Uint8Array.from([0x63]))).toThrow(MarshalError)
    expect(() => loads(Uint8Array.from([0x29, 0x01, 0x3f]))).toThrow(
      /unsupported marshal type 0x3f/,
    )
  })

  it('throws MarshalError on a back-reference to a slot that was never filled', () => {
    expect(() => loads(Uint8Array.from([0x72, 0, 0, 0, 0]))).toThrow(MarshalError)
    // a tuple holding the flagged int 1 and then a reference to slot 2 (only 0 and 1 exist)
    const data = Uint8Array.from([0xa9, 0x02, 0xe9, 1, 0, 0, 0, 0x72, 2, 0, 0, 0])
    expect(() => loads(data)).toThrow(/bad back-reference 2/)
    expect(() => loads(Uint8Array.from([0x72, 0xff, 0xff, 0xff, 0xff]))).toThrow(MarshalError)
  })

  it('throws MarshalError on trailing bytes', () => {
    const data = dumps([1, 'a'])
    const longer = new Uint8Array(data.length + 1)
    longer.set(data)
    longer[data.length] = 0x4e
    expect(() => loads(longer)).toThrow(MarshalError)
  })

  it('throws MarshalError on a negative size', () => {
    expect(() => loads(Uint8Array.from([0x73, 0xff, 0xff, 0xff, 0xff]))).toThrow(MarshalError)
    expect(() => loads(Uint8Array.from([0x5b, 0xfe, 0xff, 0xff, 0xff]))).toThrow(MarshalError)
  })

  it('throws MarshalError on a list claiming more items than the data holds', () => {
    expect(() => loads(Uint8Array.from([0x5b, 0xff, 0xff, 0xff, 0x7f, 0x4e]))).toThrow(MarshalError)
  })

  it('throws MarshalError rather than overflowing the stack on deep nesting', () => {
    const depth = 100_000
    const data = new Uint8Array(depth * 2 + 1)
    for (let i = 0; i < depth; i++) data.set([0x29, 0x01], i * 2)
    data[depth * 2] = 0x4e
    expect(() => loads(data)).toThrow(MarshalError)
  })

  it('throws MarshalError on empty input', () => {
    expect(() => loads(new Uint8Array(0))).toThrow(MarshalError)
  })
})
