import { describe, expect, it } from 'vitest'
import { mayContain, TextFilter } from '../../server/db/text-filter.js'

function filterOf(...texts: string[]): Uint8Array {
  const filter = new TextFilter()
  for (const text of texts) filter.add(text)
  return filter.bytes
}

describe("a block's text filter", () => {
  it('may contain every lower-case word of its texts, and rules out words they lack', () => {
    const bytes = filterOf("'Hello, World'", 'checkpoint 123456')
    for (const word of ['hello', 'world', 'o, w', 'checkpoint 1234', '3456'])
      expect(mayContain(bytes, word), word).toBe(true)
    for (const word of ['goodbye', 'checkpoint 7', 'nosuchword'])
      expect(mayContain(bytes, word), word).toBe(false)
  })

  it("lowers text as search does, beyond ASCII too (the Kelvin sign's lower case is k)", () => {
    const bytes = filterOf('ÉCOLE \u212Aelvin')
    expect(mayContain(bytes, 'école'.toLowerCase())).toBe(true)
    expect(mayContain(bytes, 'ÉCOLE \u212AELVIN'.toLowerCase())).toBe(true)
    expect(mayContain(bytes, 'kelvin')).toBe(true)
  })
})
