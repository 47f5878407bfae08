/**
 * The `[tool.smiley]` table of the nearest `pyproject.toml` (in the folder smiley runs in or
 * above it, as Python's tools look for theirs). Only what settings need of TOML is read there:
 * strings, whole numbers, booleans and arrays of strings, one `key = value` a line (an array
 * may span lines); anything else in the table is refused in one line naming its place.
 */

import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { CliError } from '../cli/errors.js'

export type TomlValue = string | number | boolean | string[]

export interface ProjectConfig {
  /** The pyproject.toml read. */
  path: string
  /** The table's keys as written, with their values and lines. */
  values: Map<string, { value: TomlValue; line: number }>
}

/** The nearest pyproject.toml from `cwd` up; null when there is none. */
export function findPyproject(cwd: string): string | null {
  for (let folder = cwd; ; folder = dirname(folder)) {
    const candidate = join(folder, 'pyproject.toml')
    if (existsSync(candidate)) return candidate
    if (dirname(folder) === folder) return null
  }
}

/** `[tool.smiley]` of the nearest pyproject.toml; null when there is no file or no table. */
export function readProjectConfig(cwd: string): ProjectConfig | null {
  const path = findPyproject(cwd)
  if (path === null) return null
  const values = parseSmileyTable(readFileSync(path, 'utf8'), path)
  return values === null ? null : { path, values }
}

const HEADER = /^\[\s*([^\]]+?)\s*\]\s*(#.*)?$/
const KEY = /^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$/

/** The `[tool.smiley]` table of `text`; null when it has none. */
export function parseSmileyTable(
  text: string,
  path: string,
): Map<string, { value: TomlValue; line: number }> | null {
  const lines = text.split(/\r?\n/)
  let inside = false
  let found = false
  const values = new Map<string, { value: TomlValue; line: number }>()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line.startsWith('[')) {
      const header = HEADER.exec(line)
      if (header !== null && !line.startsWith('[[')) {
        inside = header[1]!.replace(/\s+/g, '') === 'tool.smiley'
        found ||= inside
        continue
      }
    }
    if (!inside || line === '' || line.startsWith('#')) continue
    const where = `${path}:${i + 1}`
    const pair = KEY.exec(line)
    if (pair === null) throw new CliError(`${where}: cannot read "${line}" in [tool.smiley]`, 2)
    let raw = pair[2]!
    const start = i
    // An array may go on over several lines, to its closing bracket.
    while (raw.startsWith('[') && !closes(raw) && i + 1 < lines.length)
      raw += ' ' + lines[++i]!.trim()
    const key = pair[1]!.replace(/^"|"$/g, '')
    values.set(key, { value: parseValue(raw, `${path}:${start + 1}`), line: start + 1 })
  }
  return found ? values : null
}

/** Whether an array's text is closed: its last bracket outside strings and comments. */
function closes(raw: string): boolean {
  return /\]\s*(#.*)?$/.test(withoutStrings(raw))
}

function withoutStrings(raw: string): string {
  return raw.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""')
}

function parseValue(raw: string, where: string): TomlValue {
  const text = raw.trim()
  const bare = withoutComment(text)
  if (bare === 'true' || bare === 'false') return bare === 'true'
  if (/^[+-]?\d[\d_]*$/.test(bare)) return Number(bare.replace(/_/g, ''))
  const single = stringAt(bare, 0)
  if (single !== null && single.end === bare.length) return single.value
  if (bare.startsWith('[') && bare.endsWith(']')) {
    const items: string[] = []
    let at = 1
    const inner = () => bare.slice(at).replace(/^[\s,]+/, '')
    while (inner() !== ']') {
      at = bare.length - inner().length
      const item = stringAt(bare, at)
      if (item === null) break
      items.push(item.value)
      at = item.end
      if (!/^\s*(,|\])/.test(bare.slice(at))) break
    }
    if (inner() === ']') return items
  }
  throw new CliError(
    `${where}: cannot read ${text}: a string, a number, true, false or an array of strings`,
    2,
  )
}

/** `text` up to a comment: the first # outside a string. */
function withoutComment(text: string): string {
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote === null) {
      if (c === '#') return text.slice(0, i).trim()
      if (c === '"' || c === "'") quote = c
    } else if (c === '\\' && quote === '"') i++
    else if (c === quote) quote = null
  }
  return text.trim()
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', r: '\r' }

/** The TOML string starting at `at` ("basic" or 'literal'), and where it ends; null if none. */
function stringAt(text: string, at: number): { value: string; end: number } | null {
  const quote = text[at]
  if (quote === "'") {
    const end = text.indexOf("'", at + 1)
    return end === -1 ? null : { value: text.slice(at + 1, end), end: end + 1 }
  }
  if (quote !== '"') return null
  let value = ''
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') return { value, end: i + 1 }
    if (c === '\\') {
      const escaped = ESCAPES[text[i + 1] ?? '']
      if (escaped === undefined) return null
      value += escaped
      i++
    } else value += c
  }
  return null
}
