import { describe, expect, it } from 'vitest'
import { namesInLine } from '../../shared/line-names.js'
import { formatTraceQuery, isEmptyQuery, parseTraceQuery } from '../../shared/trace-query.js'

describe('parseTraceQuery', () => {
  it('reads keys, quoted values and free words', () => {
    expect(
      parseTraceQuery('fn:parse file:models var:total kind:Exception "not found" again'),
    ).toEqual({
      function: 'parse',
      file: 'models',
      variable: 'total',
      kind: 'exception',
      text: 'not found again',
    })
    expect(parseTraceQuery('function:"a b" variable:x')).toEqual({ function: 'a b', variable: 'x' })
  })

  it('is empty for blank text', () => {
    expect(isEmptyQuery(parseTraceQuery('   '))).toBe(true)
    expect(isEmptyQuery(parseTraceQuery('x'))).toBe(false)
  })

  it('refuses an unknown key or kind, saying what is allowed', () => {
    expect(() => parseTraceQuery('colour:red')).toThrow(
      'unknown search key colour: (use fn, function, file, var, variable, kind)',
    )
    expect(() => parseTraceQuery('kind:jump')).toThrow(
      'kind must be one of call, line, return, exception',
    )
  })

  it('formats a query back into text that parses to the same query', () => {
    expect(parseTraceQuery(formatTraceQuery({ function: 'a b', kind: 'return' }))).toEqual({
      function: 'a b',
      kind: 'return',
    })
    expect(formatTraceQuery({ file: 'app', variable: 'n', text: 'two words' })).toBe(
      'file:app var:n "two words"',
    )
  })
})

describe('namesInLine', () => {
  it('lists the variables a line mentions, once each, in order', () => {
    expect(namesInLine('        acc = acc + square(i)')).toEqual(['acc', 'square', 'i'])
  })

  it('leaves out keywords, attributes, keyword arguments, strings and comments', () => {
    expect(namesInLine('if not self.ready and x in items:  # check y')).toEqual([
      'self',
      'x',
      'items',
    ])
    expect(namesInLine('print(total, sep="#", end=tail)')).toEqual(['print', 'total', 'tail'])
    expect(namesInLine("message = 'bad value %d' % code")).toEqual(['message', 'code'])
  })
})
