/** Aligned text tables and CSV for listings. */

export interface Column<Row> {
  header: string
  value: (row: Row) => string
  align?: 'left' | 'right'
  /** Cut to this many characters, with an ellipsis. */
  max?: number
}

/** Lines of an aligned table, header first; `style` may colour a cell after it is padded. */
export function formatTable<Row>(
  columns: Column<Row>[],
  rows: Row[],
  style: (column: Column<Row>, row: Row | null, padded: string) => string = (_c, _r, padded) =>
    padded,
): string[] {
  const cells = rows.map((row) => columns.map((column) => clip(column.value(row), column.max)))
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((c) => c[index]!.length)),
  )
  const render = (values: string[], row: Row | null) =>
    values
      .map((value, index) => {
        const column = columns[index]!
        const last = index === values.length - 1
        const padded =
          column.align === 'right'
            ? value.padStart(widths[index]!)
            : last
              ? value
              : value.padEnd(widths[index]!)
        return style(column, row, padded)
      })
      .join('  ')
      .trimEnd()
  return [
    render(
      columns.map((c) => c.header),
      null,
    ),
    ...cells.map((values, index) => render(values, rows[index]!)),
  ]
}

/** `text` on one line, cut to `max`; leading spaces (a nested row's indent) are kept. */
function clip(text: string, max: number | undefined): string {
  const indent = /^ */.exec(text)![0]
  const flat = indent + text.slice(indent.length).replace(/\s+/g, ' ')
  if (max === undefined || flat.length <= max) return flat
  return flat.slice(0, max - 1) + '\u2026'
}

/** RFC 4180 CSV, header first. */
export function formatCsv(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cell = (value: string | number | null) => {
    const text = value === null ? '' : String(value)
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return [headers, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}
