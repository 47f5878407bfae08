/**
 * The debugger's conditions over recorded values, against Python itself: each expression is
 * evaluated by a real interpreter over the real values, and by expressions.ts over their
 * reprs, and the two must agree (or both refuse).
 */

import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { compile, evaluate } from '../../server/dap/expressions.js'
import { ExpressionError, fromRepr, toRepr } from '../../server/dap/python-values.js'

const VALUES = `{
  "count": 3, "zero": 0, "ratio": 2.5, "big": 12345678901234, "neg": -7,
  "name": "x:2", "empty": "", "quote": "it's", "escaped": "tab\\there\\nnew",
  "flag": True, "none": None,
  "items": [1, 2, 3, 4], "pair": (1, "a"), "single": (5,), "nested": [[1, 2], {"k": (3,)}],
  "table": {"a": 1, "b": [2, 3]}, "tags": {"red"}, "nothing": set(), "unicode": "naïve ☃",
}`

const EXPRESSIONS = [
  'count',
  'count > 2',
  'count >= 3 and name == "x:2"',
  "name == 'x:2' or zero",
  'not zero',
  '1 < count < 4',
  '1 < count < 3',
  'ratio > count',
  'ratio == 2.5',
  'count == 3.0',
  'flag == 1',
  'flag and count',
  'none is None',
  'none is not None',
  'zero or empty or none',
  "'x' in name",
  "'y' not in name",
  '3 in items',
  '5 not in items',
  "'a' in table",
  "'red' in tags",
  'len(items) == 4',
  'len(table)',
  'len(name)',
  'len(unicode)',
  'items == [1, 2, 3, 4]',
  'pair == (1, "a")',
  'single == (5,)',
  'items < [1, 2, 4]',
  'nested == [[1, 2], {"k": (3,)}]',
  "table == {'b': [2, 3], 'a': 1}",
  'tags == {"red"}',
  'nothing == set()',
  'big > 10**3 if False else big > 1000',
  'neg < -6',
  'neg == -7',
  'quote == "it\'s"',
  "escaped == 'tab\\there\\nnew'",
  "name < 'y'",
  "count < 'a'",
  'items < 3',
  '(count > 2) == True',
  'empty == ""',
  "unicode == 'naïve ☃'",
]

interface Case {
  expr: string
  /** Python's repr of the result, or null when Python raised. */
  result: string | null
}

/** The values' reprs, and each expression as Python evaluates it over the values. */
function pythonAnswers(): { reprs: Record<string, string>; cases: Case[] } {
  const script = `
import json, sys
values = ${VALUES}
cases = []
for expr in json.loads(sys.argv[1]):
    try:
        cases.append({"expr": expr, "result": repr(eval(expr, {}, dict(values)))})
    except Exception:
        cases.append({"expr": expr, "result": None})
print(json.dumps({"reprs": {k: repr(v) for k, v in values.items()}, "cases": cases}))
`
  return JSON.parse(
    execFileSync('python3', ['-c', script, JSON.stringify(EXPRESSIONS)], { encoding: 'utf8' }),
  ) as { reprs: Record<string, string>; cases: Case[] }
}

const { reprs, cases } = pythonAnswers()

describe('recorded values as Python values', () => {
  it("reads every literal's repr back into the value whose repr it is", () => {
    for (const [name, repr] of Object.entries(reprs)) {
      const value = fromRepr(repr)
      expect(value.kind, name).not.toBe('repr')
      expect(toRepr(value), name).toBe(repr)
    }
  })

  it('keeps an object repr, or a repr cut short, as its text', () => {
    for (const text of ['Point(x=1, y=2)', '[1, 2, …] (1000 items)', "'abc…", '<object at 0x7f>'])
      expect(fromRepr(text)).toEqual({ kind: 'repr', text })
  })
})

describe('conditions over recorded values', () => {
  const lookup = (name: string) => reprs[name]
  // Expressions outside the language (a call, an operator it lacks) are refused, never guessed.
  const outside = new Set(['big > 10**3 if False else big > 1000'])

  for (const { expr, result } of cases) {
    it(`${expr} → ${result ?? 'an error'}, as Python says`, () => {
      if (outside.has(expr)) {
        expect(() => compile(expr)).toThrow(ExpressionError)
        return
      }
      const run = () => toRepr(evaluate(compile(expr), lookup))
      if (result === null) expect(run).toThrow(ExpressionError)
      else expect(run()).toBe(result)
    })
  }

  it('compares an object repr as its text, and says which name is not there', () => {
    const lookup = (name: string) => (name === 'point' ? 'Point(x=1, y=2)' : undefined)
    expect(toRepr(evaluate(compile("point == 'Point(x=1, y=2)'"), lookup))).toBe('True')
    expect(toRepr(evaluate(compile("'x=1' in point"), lookup))).toBe('True')
    expect(() => evaluate(compile('missing > 1'), lookup)).toThrow(
      "name 'missing' is not defined here",
    )
    expect(() => compile('point.x > 1')).toThrow(/only names and literals/)
    expect(() => compile('count >')).toThrow(ExpressionError)
  })
})
