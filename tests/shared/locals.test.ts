import { describe, expect, it } from 'vitest'
import { decodeLocals, encodeLocals } from '../../shared/locals.js'
import type { FlatChanges } from '../../shared/wire/records.js'

describe('encodeLocals and decodeLocals', () => {
  it('round-trips plain variables', () => {
    const flat: FlatChanges = [1, 2, '42', 3, 4, "'hello'"]
    expect(decodeLocals(encodeLocals(flat))).toEqual([
      { name: 1, type: 2, text: '42' },
      { name: 3, type: 4, text: "'hello'" },
    ])
  })

  it('round-trips texts containing commas, colons and digits', () => {
    const texts = ['1,2,3:', "{'a': 1, 'b': 2}", '12:34', ',', ':', '3,4,5:abcde', '0,0,0:', '99']
    const flat = texts.flatMap((text, i) => [i + 1, 7, text])
    expect(decodeLocals(encodeLocals(flat))).toEqual(
      texts.map((text, i) => ({ name: i + 1, type: 7, text })),
    )
  })

  it('round-trips empty texts, newlines, non-ASCII text and astral characters', () => {
    const texts = [
      '',
      "''",
      'line one\nline two',
      'caf\u00e9 \u65e5\u672c',
      '\u{1f600}\u{1f600}',
      'a\udcffb',
    ]
    const flat = texts.flatMap((text, i) => [i + 10, 3, text])
    expect(decodeLocals(encodeLocals(flat))).toEqual(
      texts.map((text, i) => ({ name: i + 10, type: 3, text })),
    )
  })

  it('round-trips a deleted variable as type 0 with no text', () => {
    const flat: FlatChanges = [5, 2, '1', 6, 0, null, 7, 2, '3']
    expect(decodeLocals(encodeLocals(flat))).toEqual([
      { name: 5, type: 2, text: '1' },
      { name: 6, type: 0, text: null },
      { name: 7, type: 2, text: '3' },
    ])
  })

  it('stores nothing for no changes, and reads nothing back', () => {
    expect(encodeLocals(null)).toBeNull()
    expect(encodeLocals([])).toBeNull()
    expect(decodeLocals(null)).toEqual([])
    expect(decodeLocals('')).toEqual([])
  })

  it('round-trips large symbol ids and long texts', () => {
    const long = 'x,'.repeat(5000)
    const flat: FlatChanges = [123456, 654321, long]
    expect(decodeLocals(encodeLocals(flat))).toEqual([{ name: 123456, type: 654321, text: long }])
  })

  it('writes text that SQLite can search for a value', () => {
    expect(encodeLocals([1, 2, '42', 3, 0, null])).toBe('1,2,2:423,0,0:')
  })
})

describe('decodeLocals on malformed text', () => {
  it.each([
    ['text without separators', 'garbage'],
    ['a missing length', '1,2'],
    ['a missing colon', '1,2,3'],
    ['a name that is not a number', 'a,2,1:x'],
    ['a type that is not a number', '1,b,1:x'],
    ['a length that is not a number', '1,2,c:x'],
    ['a negative length', '1,2,-1:x'],
    ['a fractional length', '1,2,1.5:xy'],
    ['a good entry followed by garbage', '1,2,1:xgarbage'],
  ])('throws on %s', (_, encoded) => {
    expect(() => decodeLocals(encoded)).toThrow()
  })

  it('throws on a text shorter than its stated length', () => {
    expect(() => decodeLocals('1,2,10:abc')).toThrow()
  })

  it('throws on entries whose numbers are empty', () => {
    expect(() => decodeLocals(',,:')).toThrow()
    expect(() => decodeLocals('1,2,:')).toThrow()
  })
})
