/** Printing and writing profiles the way Python's pstats and cProfile do, checked against Python. */

import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { pstatsDict } from '../../server/db/profile.js'
import { fixed, formatPstats } from '../../server/console/pstats-format.js'
import { isSortKey, SORT_KEYS, standardName } from '../../server/console/pstats-sort.js'
import type { Profile } from '../../shared/types/profile.js'
import { dumps } from '../../shared/wire/marshal.js'

function python(code: string, input: string | Uint8Array = ''): string {
  return execFileSync('python3', ['-c', code], { input, encoding: 'utf8' })
}

const PROFILE: Profile = {
  functions: [
    {
      id: 1,
      file: '/app/walk.py',
      line: 3,
      name: 'walk',
      primitiveCalls: 1,
      calls: 6,
      totalTime: 0.0625,
      cumulativeTime: 2,
    },
    {
      id: 2,
      file: '~',
      line: 0,
      name: "<method 'append' of 'list' objects>",
      primitiveCalls: 6,
      calls: 6,
      totalTime: 0.001,
      cumulativeTime: 0.001,
    },
    {
      id: 3,
      file: '/app/main.py',
      line: 1,
      name: '<module>',
      primitiveCalls: 1,
      calls: 1,
      totalTime: 0,
      cumulativeTime: 2.5,
    },
  ],
  calls: [
    {
      caller: 3,
      callee: 1,
      primitiveCalls: 1,
      calls: 1,
      totalTime: 0.01,
      cumulativeTime: 2,
    },
    {
      caller: 1,
      callee: 1,
      primitiveCalls: 0,
      calls: 5,
      totalTime: 0.0525,
      cumulativeTime: 1.5,
    },
    {
      caller: 1,
      callee: 2,
      primitiveCalls: 6,
      calls: 6,
      totalTime: 0.001,
      cumulativeTime: 0.001,
    },
  ],
  totalTime: 0.0635,
}

describe('pstatsDict', () => {
  it('builds the dict cProfile dumps, with callers as (calls, primitive calls, tottime, cumtime)', () => {
    const loaded = python(
      `
import json, marshal, sys
stats = marshal.loads(sys.stdin.buffer.read())
print(json.dumps([[list(k), list(v[:4]), [[list(c), list(t)] for c, t in v[4].items()]]
                  for k, v in stats.items()]))
`,
      dumps(pstatsDict(PROFILE)),
    )
    expect(JSON.parse(loaded)).toEqual([
      [
        ['/app/walk.py', 3, 'walk'],
        [1, 6, 0.0625, 2.0],
        [
          [
            ['/app/main.py', 1, '<module>'],
            [1, 1, 0.01, 2.0],
          ],
          [
            ['/app/walk.py', 3, 'walk'],
            [5, 0, 0.0525, 1.5],
          ],
        ],
      ],
      [
        ['~', 0, "<method 'append' of 'list' objects>"],
        [6, 6, 0.001, 0.001],
        [
          [
            ['/app/walk.py', 3, 'walk'],
            [6, 6, 0.001, 0.001],
          ],
        ],
      ],
      [['/app/main.py', 1, '<module>'], [1, 1, 0.0, 2.5], []],
    ])
  })
})

describe('formatPstats', () => {
  it('prints the header, the order and pstats columns, with total/primitive calls', () => {
    const { summary, table } = formatPstats(PROFILE, { sort: ['cumulative'] })
    expect([...summary, ...table]).toEqual([
      '         13 function calls (8 primitive calls) in 0.064 seconds',
      '',
      '   Ordered by: cumulative time',
      '',
      '   ncalls  tottime  percall  cumtime  percall filename:lineno(function)',
      '        1    0.000    0.000    2.500    2.500 /app/main.py:1(<module>)',
      '      6/1    0.062    0.010    2.000    2.000 /app/walk.py:3(walk)',
      "        6    0.001    0.000    0.001    0.000 {method 'append' of 'list' objects}",
    ])
  })

  it('says when the list was cut short, as pstats does', () => {
    const { summary, table } = formatPstats(PROFILE, { sort: ['name', 'line'], limit: 1 })
    expect(summary).toEqual([
      '         13 function calls (8 primitive calls) in 0.064 seconds',
      '',
      '   Ordered by: function name, line number',
      '   List reduced from 3 to 1 due to restriction <1>',
      '',
    ])
    expect(table.slice(1)).toEqual([
      "        6    0.001    0.000    0.001    0.000 {method 'append' of 'list' objects}",
    ])
  })
})

describe('sort keys', () => {
  it('accepts exactly the keys and abbreviations pstats accepts', () => {
    const accepted = JSON.parse(
      python(`
import json, pstats
stats = pstats.Stats.__new__(pstats.Stats)
stats.sort_arg_dict = {}
print(json.dumps(sorted(stats.get_sort_arg_defs())))
`),
    ) as string[]
    const candidates = new Set(
      SORT_KEYS.flatMap((key) => [...key].map((_, i) => key.slice(0, i + 1))),
    )
    candidates.add('speed')
    for (const candidate of candidates)
      expect([candidate, isSortKey(candidate)]).toEqual([candidate, accepted.includes(candidate)])
  })

  it('names built-in functions in braces, as pstats does', () => {
    expect(standardName({ file: '~', line: 0, name: '<built-in method builtins.len>' })).toBe(
      '{built-in method builtins.len}',
    )
    expect(standardName({ file: '/a.py', line: 4, name: 'f' })).toBe('/a.py:4(f)')
  })
})

describe('fixed', () => {
  it("rounds as Python's %.3f does, exact ties to even", () => {
    const values = [
      0,
      0.0005,
      0.0625,
      0.1875,
      0.3125,
      1.0005,
      2.675,
      0.0015,
      123.4565,
      1e-9,
      0.9995,
      7.0625,
      1 / 3,
      2 / 3,
      1024.0078125,
    ]
    const expected = JSON.parse(
      python(
        `import json, sys; print(json.dumps(['%.3f' % v for v in json.load(sys.stdin)]))`,
        JSON.stringify(values),
      ),
    ) as string[]
    expect(values.map((v) => fixed(v, 3))).toEqual(expected)
  })
})
