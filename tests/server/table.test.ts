import { describe, expect, it } from 'vitest'
import { formatCsv, formatTable } from '../../server/console/table.js'
import type { Column } from '../../server/console/table.js'

interface Row {
  id: string
  status: string
  events: number
  description: string
}

const ROWS: Row[] = [
  { id: 'a1b2c3d4', status: 'completed', events: 1234, description: 'python prog.py' },
  { id: 'ffee0011', status: 'error', events: 7, description: 'python -m http.server 8000' },
]

const COLUMNS: Column<Row>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'STATUS', value: (r) => r.status },
  { header: 'EVENTS', value: (r) => String(r.events), align: 'right' },
  { header: 'COMMAND', value: (r) => r.description },
]

describe('formatTable', () => {
  it('aligns columns to their widest cell, two spaces apart, header first', () => {
    expect(formatTable(COLUMNS, ROWS)).toEqual([
      'ID        STATUS     EVENTS  COMMAND',
      'a1b2c3d4  completed    1234  python prog.py',
      'ffee0011  error           7  python -m http.server 8000',
    ])
  })

  it('right-aligns a right column, also under a wider header', () => {
    const lines = formatTable(
      [{ header: 'COUNT', value: (n: number) => String(n), align: 'right' }],
      [5, 12345, 42],
    )
    expect(lines).toEqual(['COUNT', '    5', '12345', '   42'])
  })

  it('leaves no trailing spaces after a short last cell', () => {
    const lines = formatTable(
      [
        { header: 'NAME', value: (r: string[]) => r[0]! },
        { header: 'NOTE', value: (r: string[]) => r[1]! },
      ],
      [
        ['x', ''],
        ['longer', 'hi'],
      ],
    )
    expect(lines).toEqual(['NAME    NOTE', 'x', 'longer  hi'])
    for (const line of lines) expect(line).toBe(line.trimEnd())
  })

  it('clips a cell longer than its maximum with an ellipsis', () => {
    const columns: Column<string>[] = [
      { header: 'TEXT', value: (r) => r, max: 8 },
      { header: 'END', value: () => '|' },
    ]
    expect(formatTable(columns, ['short', 'exactly8', 'much longer text'])).toEqual([
      'TEXT      END',
      'short     |',
      'exactly8  |',
      'much lo\u2026  |',
    ])
  })

  it('puts each cell on one line, turning runs of whitespace into one space', () => {
    const lines = formatTable(
      [{ header: 'MSG', value: (r: string) => r }],
      ['line one\n  line two\tend'],
    )
    expect(lines).toEqual(['MSG', 'line one line two end'])
  })

  it('counts the clipped length when sizing a column', () => {
    const lines = formatTable(
      [
        { header: 'A', value: (r: string) => r, max: 4 },
        { header: 'B', value: () => 'b' },
      ],
      ['abcdefgh'],
    )
    expect(lines).toEqual(['A     B', 'abc\u2026  b'])
  })

  it('lets a style colour each cell after it is padded', () => {
    const seen: Array<[string, string | null, string]> = []
    const lines = formatTable(COLUMNS.slice(0, 2), ROWS.slice(0, 1), (column, row, padded) => {
      seen.push([column.header, row ? row.id : null, padded])
      return `<${padded}>`
    })
    expect(lines).toEqual(['<ID      >  <STATUS>', '<a1b2c3d4>  <completed>'])
    expect(seen).toEqual([
      ['ID', null, 'ID      '],
      ['STATUS', null, 'STATUS'],
      ['ID', 'a1b2c3d4', 'a1b2c3d4'],
      ['STATUS', 'a1b2c3d4', 'completed'],
    ])
  })

  it('shows only the header when there are no rows', () => {
    expect(formatTable(COLUMNS, [])).toEqual(['ID  STATUS  EVENTS  COMMAND'])
  })
})

describe('formatCsv', () => {
  it('writes a header and rows with CRLF line ends', () => {
    expect(
      formatCsv(
        ['id', 'events'],
        [
          ['a1', 3],
          ['b2', 10],
        ],
      ),
    ).toBe('id,events\r\na1,3\r\nb2,10\r\n')
  })

  it('quotes cells with commas, quotes, and line breaks, doubling the quotes', () => {
    const csv = formatCsv(
      ['text'],
      [['a,b'], ['say "hi"'], ['two\nlines'], ['cr\rhere'], ['plain']],
    )
    expect(csv).toBe('text\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\rhere"\r\nplain\r\n')
  })

  it('quotes header cells too', () => {
    expect(formatCsv(['a,b', 'c'], [])).toBe('"a,b",c\r\n')
  })

  it('writes null as an empty cell and numbers as they print', () => {
    expect(formatCsv(['a', 'b', 'c'], [[null, 1.5, -2]])).toBe('a,b,c\r\n,1.5,-2\r\n')
  })

  it('keeps spaces and other text unquoted', () => {
    expect(formatCsv(['x'], [[' padded '], ["it's"]])).toBe("x\r\n padded \r\nit's\r\n")
  })
})
