import { describe, expect, it } from 'vitest'
import { decodeUtf8, encodeUtf8 } from '../../shared/wire/utf8.js'

const bytes = (...values: number[]) => Uint8Array.from(values)
const hex = (data: Uint8Array) => Buffer.from(data).toString('hex')

describe('encodeUtf8 and decodeUtf8', () => {
  it.each([
    ['ASCII', 'hello, world', '68656c6c6f2c20776f726c64'],
    ['two-byte characters', 'h\u00e9llo', '68c3a96c6c6f'],
    ['three-byte characters', '\u65e5\u672c', 'e697a5e69cac'],
    ['a four-byte emoji', '\u{1f600}', 'f09f9880'],
    ['the highest code point', '\u{10ffff}', 'f48fbfbf'],
    ['the empty string', '', ''],
  ])('round-trips %s through the same bytes as standard UTF-8', (_, text, encoded) => {
    expect(hex(encodeUtf8(text))).toBe(encoded)
    expect(hex(encodeUtf8(text))).toBe(Buffer.from(text, 'utf8').toString('hex'))
    expect(decodeUtf8(encodeUtf8(text))).toBe(text)
  })

  it.each([
    ['a lone low surrogate', 'a\udcffb', '61edb3bf62'],
    ['a lone high surrogate', 'a\ud83db', '61eda0bd62'],
    ['a high surrogate at the end', 'x\ud800', '78eda080'],
    ['a low surrogate before a high one', '\udc00\ud800', 'edb080eda080'],
  ])("writes %s as Python's surrogatepass does and reads it back", (_, text, encoded) => {
    expect(hex(encodeUtf8(text))).toBe(encoded)
    expect(decodeUtf8(encodeUtf8(text))).toBe(text)
  })

  it('round-trips text longer than one conversion chunk, ASCII and not', () => {
    const ascii = 'abcdefgh'.repeat(5000)
    const mixed = 'a\u00e9\u65e5\u{1f600}\udcff'.repeat(5000)
    expect(decodeUtf8(encodeUtf8(ascii))).toBe(ascii)
    expect(decodeUtf8(encodeUtf8(mixed))).toBe(mixed)
  })

  it('decodes only the range it is given', () => {
    const data = encodeUtf8('ab\u00e9cd')
    expect(decodeUtf8(data, 1, 4)).toBe('b\u00e9')
    expect(decodeUtf8(data, 2, 2)).toBe('')
  })
})

describe('decodeUtf8 on invalid bytes', () => {
  it('turns a byte that cannot start a character into U+FFFD', () => {
    expect(decodeUtf8(bytes(0x61, 0xff, 0x62))).toBe('a\ufffdb')
    expect(decodeUtf8(bytes(0x61, 0x80, 0x62))).toBe('a\ufffdb')
  })

  it('turns a sequence cut short into U+FFFD and keeps what follows', () => {
    expect(decodeUtf8(bytes(0x61, 0xe6, 0x97, 0x62))).toMatch(/^a\ufffd+b$/)
    expect(decodeUtf8(bytes(0x61, 0xf0, 0x9f, 0x98))).toMatch(/^a\ufffd+$/)
  })

  it('does not decode overlong forms into the characters they hide', () => {
    expect(decodeUtf8(bytes(0xc0, 0xaf))).toMatch(/^\ufffd+$/)
    expect(decodeUtf8(bytes(0xe0, 0x80, 0xaf))).toMatch(/^\ufffd+$/)
    expect(decodeUtf8(bytes(0xf0, 0x80, 0x80, 0xaf))).toMatch(/^\ufffd+$/)
  })

  it('does not decode code points beyond U+10FFFF', () => {
    expect(decodeUtf8(bytes(0xf4, 0x90, 0x80, 0x80))).toMatch(/^\ufffd+$/)
  })
})
