/** Text out of stored and streamed bytes: UTF-8 as Python writes it, lone surrogates included. */

import { describe, expect, it } from 'vitest'
import { utf8Text } from '../../server/db/bytes.js'

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
  )

describe('text from UTF-8 bytes', () => {
  it('decodes ASCII and every width of character', () => {
    const text = `plain ${'é€😀'.repeat(20)} end`
    const data = bytes('>>', text, '<<')
    expect(utf8Text(data, 2, data.length - 2)).toBe(text)
  })

  it('keeps an encoded lone surrogate as its code unit, as Python wrote it', () => {
    const data = bytes('a', [0xed, 0xa0, 0x80], 'b', [0xed, 0xbf, 0xbf], 'c')
    expect(utf8Text(data, 0, data.length)).toBe('a\ud800b\udfffc')
  })

  it('turns invalid bytes into U+FFFD and keeps a U+FFFD that was written', () => {
    expect(utf8Text(bytes('x', [0xff], 'y'), 0, 3)).toBe('x\ufffdy')
    expect(utf8Text(bytes('\ufffd!'), 0, 4)).toBe('\ufffd!')
    const mixed = bytes('\ufffd', [0xed, 0xa0, 0x80])
    expect(utf8Text(mixed, 0, mixed.length)).toBe('\ufffd\ud800')
  })
})
