/**
 * Recorded values as Python values: the repr of a literal (a number, a string, True, False,
 * None, and lists, tuples, sets and dicts of them) is read back into its value; any other
 * text (an object's repr, a repr cut short) stays that text. Conditions compare these.
 */

export type PyValue =
  /** An int or a float (`float`: written with a point or an exponent, e.g. `1.0`). */
  | { kind: 'number'; value: number; float?: boolean }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'str'; value: string }
  | { kind: 'list' | 'tuple' | 'set'; items: PyValue[] }
  | { kind: 'dict'; entries: Array<[PyValue, PyValue]> }
  /** A repr that is no literal: compared as its text. */
  | { kind: 'repr'; text: string }

export class ExpressionError extends Error {}

/** A token of Python's expression syntax, as far as conditions use it. */
export interface Token {
  kind: 'number' | 'str' | 'name' | 'op' | 'end'
  text: string
  value?: number | string
  at: number
}

const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '-',
  '+',
  '.',
]

/** The tokens of `text`; throws ExpressionError on a character no condition can hold. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (at < text.length) {
    const rest = text.slice(at)
    const space = /^\s+/.exec(rest)
    if (space) {
      at += space[0].length
      continue
    }
    const number = /^(?:\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(rest)
    if (number) {
      tokens.push({
        kind: 'number',
        text: number[0],
        value: Number(number[0].replace(/_/g, '')),
        at,
      })
      at += number[0].length
      continue
    }
    const prefix = /^[rRbBuU]?(['"])/.exec(rest)
    if (prefix) {
      const [value, length] = readString(text, at + prefix[0].length - 1, /^[rR]/.test(prefix[0]))
      tokens.push({
        kind: 'str',
        text: text.slice(at, at + prefix[0].length - 1 + length),
        value,
        at,
      })
      at += prefix[0].length - 1 + length
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)
    if (name) {
      tokens.push({ kind: 'name', text: name[0], at })
      at += name[0].length
      continue
    }
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate))
    if (op === undefined) throw new ExpressionError(`unexpected "${rest[0]}" at column ${at + 1}`)
    tokens.push({ kind: 'op', text: op, at })
    at += op.length
  }
  tokens.push({ kind: 'end', text: '', at })
  return tokens
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
}

/** The string literal whose quote is at `start`: its value and its length from the quote. */
function readString(text: string, start: number, raw: boolean): [string, number] {
  const quote = text[start]!
  let value = ''
  let at = start + 1
  while (at < text.length) {
    const char = text[at]!
    if (char === quote) return [value, at - start + 1]
    if (char === '\\' && !raw) {
      const next = text[at + 1] ?? ''
      const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(
        text.slice(at + 1),
      )
      if (hex) {
        value += String.fromCodePoint(parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16))
        at += 1 + hex[0].length
        continue
      }
      value += ESCAPES[next] ?? `\\${next}`
      at += 2
      continue
    }
    value += char
    at += 1
  }
  throw new ExpressionError('a string is not closed')
}

/** Reads literals from tokens: the part of the grammar reprs and conditions share. */
export class LiteralReader {
  private at = 0

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!
  }

  take(): Token {
    const token = this.peek()
    if (token.kind !== 'end') this.at += 1
    return token
  }

  accept(text: string): boolean {
    const token = this.peek()
    if ((token.kind === 'op' || token.kind === 'name') && token.text === text) {
      this.at += 1
      return true
    }
    return false
  }

  expect(text: string): void {
    if (!this.accept(text)) {
      const token = this.peek()
      throw new ExpressionError(
        `expected "${text}" ${token.kind === 'end' ? 'at the end' : `before "${token.text}"`}`,
      )
    }
  }

  /** A literal, or undefined when the next token starts none (a name, an operator). */
  literal(inner: () => PyValue = () => this.required()): PyValue | undefined {
    const token = this.peek()
    if (token.kind === 'number') {
      this.take()
      return { kind: 'number', value: token.value as number, float: /[.eE]/.test(token.text) }
    }
    if (token.kind === 'str') {
      this.take()
      let value = token.value as string
      // Adjacent literals join, as Python's do.
      while (this.peek().kind === 'str') value += this.take().value as string
      return { kind: 'str', value }
    }
    if (token.kind === 'op' && (token.text === '-' || token.text === '+')) {
      const next = this.peek(1)
      if (next.kind !== 'number') return undefined
      this.take()
      this.take()
      const value = next.value as number
      const float = /[.eE]/.test(next.text)
      return { kind: 'number', value: token.text === '-' ? -value : value, float }
    }
    if (token.kind === 'name') {
      if (token.text === 'True' || token.text === 'False') {
        this.take()
        return { kind: 'bool', value: token.text === 'True' }
      }
      if (token.text === 'None') {
        this.take()
        return { kind: 'none' }
      }
      if (token.text === 'set' && this.peek(1).text === '(' && this.peek(2).text === ')') {
        this.at += 3
        return { kind: 'set', items: [] }
      }
      return undefined
    }
    if (token.kind !== 'op') return undefined
    if (token.text === '[') {
      this.take()
      return { kind: 'list', items: this.items(']', inner) }
    }
    if (token.text === '(') {
      // A parenthesised expression is a tuple only with a comma, or empty; anything else in
      // parentheses is left for the expression around it.
      const save = this.at
      try {
        this.take()
        if (this.accept(')')) return { kind: 'tuple', items: [] }
        const first = inner()
        if (this.accept(')')) {
          this.at = save
          return undefined
        }
        this.expect(',')
        const rest = this.peek().text === ')' ? [] : this.items(')', inner, false)
        if (rest.length === 0) this.expect(')')
        return { kind: 'tuple', items: [first, ...rest] }
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error
        this.at = save
        return undefined
      }
    }
    if (token.text === '{') {
      this.take()
      if (this.accept('}')) return { kind: 'dict', entries: [] }
      const key = inner()
      if (this.accept(':')) {
        const entries: Array<[PyValue, PyValue]> = [[key, inner()]]
        while (this.accept(',')) {
          if (this.peek().text === '}') break
          const k = inner()
          this.expect(':')
          entries.push([k, inner()])
        }
        this.expect('}')
        return { kind: 'dict', entries }
      }
      const items = [key]
      if (this.accept(',') && this.peek().text !== '}') items.push(...this.items('}', inner, false))
      else this.expect('}')
      return { kind: 'set', items }
    }
    return undefined
  }

  private required(): PyValue {
    const value = this.literal()
    if (value === undefined) throw new ExpressionError(`no literal at "${this.peek().text}"`)
    return value
  }

  /** Items up to `close` (which is taken); the opening bracket was taken already. */
  private items(close: string, inner: () => PyValue, opened = true): PyValue[] {
    const items: PyValue[] = []
    if (opened && this.accept(close)) return items
    for (;;) {
      items.push(inner())
      if (this.accept(close)) return items
      this.expect(',')
      if (this.accept(close)) return items
    }
  }
}

/** The value a recorded repr stands for: a literal read back, or else the text itself. */
export function fromRepr(text: string): PyValue {
  try {
    const reader = new LiteralReader(tokenize(text))
    const value = reader.literal()
    if (value !== undefined && reader.peek().kind === 'end') return value
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error
  }
  return { kind: 'repr', text }
}

/** Python's repr of a value (a repr kept as text is itself). */
export function toRepr(value: PyValue): string {
  switch (value.kind) {
    case 'number':
      return value.float === true || !Number.isInteger(value.value)
        ? floatRepr(value.value)
        : BigInt(value.value).toString()
    case 'bool':
      return value.value ? 'True' : 'False'
    case 'none':
      return 'None'
    case 'str':
      return strRepr(value.value)
    case 'list':
      return `[${value.items.map(toRepr).join(', ')}]`
    case 'tuple':
      return value.items.length === 1
        ? `(${toRepr(value.items[0]!)},)`
        : `(${value.items.map(toRepr).join(', ')})`
    case 'set':
      return value.items.length === 0 ? 'set()' : `{${value.items.map(toRepr).join(', ')}}`
    case 'dict':
      return `{${value.entries.map(([k, v]) => `${toRepr(k)}: ${toRepr(v)}`).join(', ')}}`
    case 'repr':
      return value.text
  }
}

function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  const text = String(value)
  return /[.e]/.test(text) ? text.replace(/e\+?/, 'e+').replace('e+-', 'e-') : `${text}.0`
}

function strRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'"
  let out = quote
  for (const char of value) {
    if (char === '\\') out += '\\\\'
    else if (char === quote) out += `\\${quote}`
    else if (char === '\n') out += '\\n'
    else if (char === '\t') out += '\\t'
    else if (char === '\r') out += '\\r'
    else if (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)
      out += `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`
    else out += char
  }
  return out + quote
}

/** The parts of a container, each with its label; undefined for a value that has none. */
export function partsOf(value: PyValue): Array<[string, PyValue]> | undefined {
  switch (value.kind) {
    case 'list':
    case 'tuple':
      return value.items.map((item, index) => [`[${index}]`, item])
    case 'set':
      return value.items.map((item, index) => [`{${index}}`, item])
    case 'dict':
      return value.entries.map(([key, item]) => [`[${toRepr(key)}]`, item])
    default:
      return undefined
  }
}
