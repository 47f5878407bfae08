/**
 * Conditions, log messages and watches over a recorded moment: names visible at that moment
 * and Python literals, compared (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `not in`, `is`,
 * `is not`, chained as Python chains them), combined with `and`, `or`, `not`, and `len(x)`.
 * A name's value is its recorded repr read back (see python-values.ts). Nothing here runs
 * the program's code: the recording is all there is.
 */

import {
  ExpressionError,
  LiteralReader,
  fromRepr,
  toRepr,
  tokenize,
  type PyValue,
} from './python-values.js'

export type Expr =
  | { kind: 'literal'; value: PyValue }
  | { kind: 'name'; name: string }
  | { kind: 'len'; operand: Expr }
  | { kind: 'not'; operand: Expr }
  | { kind: 'bool'; op: 'and' | 'or'; operands: Expr[] }
  | { kind: 'compare'; first: Expr; rest: Array<[Comparison, Expr]> }

type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not'

/** The values of the names visible at a moment, as recorded (repr text). */
export type Lookup = (name: string) => string | undefined

/** The expression `text` holds; throws ExpressionError, with what is wrong, when it holds none. */
export function compile(text: string): Expr {
  const reader = new LiteralReader(tokenize(text))
  if (reader.peek().kind === 'end') throw new ExpressionError('the expression is empty')
  const expr = parseOr(reader)
  const left = reader.peek()
  if (left.kind !== 'end')
    throw new ExpressionError(`unexpected "${left.text}" at column ${left.at + 1}`)
  return expr
}

function parseOr(reader: LiteralReader): Expr {
  const operands = [parseAnd(reader)]
  while (reader.accept('or')) operands.push(parseAnd(reader))
  return operands.length === 1 ? operands[0]! : { kind: 'bool', op: 'or', operands }
}

function parseAnd(reader: LiteralReader): Expr {
  const operands = [parseNot(reader)]
  while (reader.accept('and')) operands.push(parseNot(reader))
  return operands.length === 1 ? operands[0]! : { kind: 'bool', op: 'and', operands }
}

function parseNot(reader: LiteralReader): Expr {
  if (reader.accept('not')) return { kind: 'not', operand: parseNot(reader) }
  return parseComparison(reader)
}

function comparison(reader: LiteralReader): Comparison | undefined {
  const token = reader.peek()
  if (token.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(token.text)) {
    reader.take()
    return token.text as Comparison
  }
  if (token.kind !== 'name') return undefined
  if (token.text === 'in') {
    reader.take()
    return 'in'
  }
  if (token.text === 'is') {
    reader.take()
    return reader.accept('not') ? 'is not' : 'is'
  }
  if (token.text === 'not' && reader.peek(1).text === 'in') {
    reader.take()
    reader.take()
    return 'not in'
  }
  return undefined
}

function parseComparison(reader: LiteralReader): Expr {
  const first = parsePrimary(reader)
  const rest: Array<[Comparison, Expr]> = []
  for (let op = comparison(reader); op !== undefined; op = comparison(reader))
    rest.push([op, parsePrimary(reader)])
  return rest.length === 0 ? first : { kind: 'compare', first, rest }
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'lambda'])

function parsePrimary(reader: LiteralReader): Expr {
  const literal = reader.literal()
  if (literal !== undefined) return { kind: 'literal', value: literal }
  const token = reader.peek()
  if (token.kind === 'op' && token.text === '(') {
    reader.take()
    const inner = parseOr(reader)
    reader.expect(')')
    return inner
  }
  if (token.kind === 'name' && !KEYWORDS.has(token.text)) {
    reader.take()
    if (token.text === 'len' && reader.accept('(')) {
      const operand = parseOr(reader)
      reader.expect(')')
      return { kind: 'len', operand }
    }
    if (reader.peek().text === '(' || reader.peek().text === '.' || reader.peek().text === '[')
      throw new ExpressionError(
        `only names and literals can be compared here: a recording cannot run ${token.text}${reader.peek().text}…`,
      )
    return { kind: 'name', name: token.text }
  }
  if (token.kind === 'end') throw new ExpressionError('the expression ends too soon')
  throw new ExpressionError(`unexpected "${token.text}" at column ${token.at + 1}`)
}

/** The value of `expr` at a moment; throws ExpressionError (unknown name, types that do not compare). */
export function evaluate(expr: Expr, lookup: Lookup): PyValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value
    case 'name': {
      const text = lookup(expr.name)
      if (text === undefined) throw new ExpressionError(`name '${expr.name}' is not defined here`)
      return fromRepr(text)
    }
    case 'len': {
      const value = evaluate(expr.operand, lookup)
      switch (value.kind) {
        case 'str':
          return { kind: 'number', value: [...value.value].length }
        case 'list':
        case 'tuple':
        case 'set':
          return { kind: 'number', value: value.items.length }
        case 'dict':
          return { kind: 'number', value: value.entries.length }
        default:
          throw new ExpressionError(`the length of ${toRepr(value)} is not in the recording`)
      }
    }
    case 'not':
      return { kind: 'bool', value: !truthy(evaluate(expr.operand, lookup)) }
    case 'bool': {
      let value: PyValue = { kind: 'none' }
      for (const operand of expr.operands) {
        value = evaluate(operand, lookup)
        if (truthy(value) === (expr.op === 'or')) return value
      }
      return value
    }
    case 'compare': {
      let left = evaluate(expr.first, lookup)
      for (const [op, next] of expr.rest) {
        const right = evaluate(next, lookup)
        if (!compare(op, left, right)) return { kind: 'bool', value: false }
        left = right
      }
      return { kind: 'bool', value: true }
    }
  }
}

/** Python's truth of a value; an object's repr is true, as most objects are. */
export function truthy(value: PyValue): boolean {
  switch (value.kind) {
    case 'number':
      return value.value !== 0
    case 'bool':
      return value.value
    case 'none':
      return false
    case 'str':
      return value.value !== ''
    case 'list':
    case 'tuple':
    case 'set':
      return value.items.length > 0
    case 'dict':
      return value.entries.length > 0
    case 'repr':
      return true
  }
}

function numeric(value: PyValue): number | undefined {
  if (value.kind === 'number') return value.value
  if (value.kind === 'bool') return value.value ? 1 : 0
  return undefined
}

/** A value's text when it compares as text: a string, or a repr that is no literal. */
function textOf(value: PyValue): string | undefined {
  if (value.kind === 'str') return value.value
  if (value.kind === 'repr') return value.text
  return undefined
}

export function equal(a: PyValue, b: PyValue): boolean {
  const [x, y] = [numeric(a), numeric(b)]
  if (x !== undefined && y !== undefined) return x === y
  if (a.kind === 'repr' || b.kind === 'repr') {
    const text = (value: PyValue) => textOf(value) ?? toRepr(value)
    return text(a) === text(b)
  }
  if (a.kind !== b.kind) return false
  switch (a.kind) {
    case 'none':
      return true
    case 'str':
      return a.value === (b as typeof a).value
    case 'list':
    case 'tuple': {
      const items = (b as typeof a).items
      return a.items.length === items.length && a.items.every((item, i) => equal(item, items[i]!))
    }
    case 'set': {
      const items = (b as typeof a).items
      return (
        a.items.length === items.length &&
        a.items.every((item) => items.some((other) => equal(item, other)))
      )
    }
    case 'dict': {
      const entries = (b as typeof a).entries
      return (
        a.entries.length === entries.length &&
        a.entries.every(([k, v]) => entries.some(([k2, v2]) => equal(k, k2) && equal(v, v2)))
      )
    }
    default:
      return false
  }
}

/** -1, 0 or 1; throws when Python would refuse to order the two. */
function order(op: string, a: PyValue, b: PyValue): number {
  const [x, y] = [numeric(a), numeric(b)]
  if (x !== undefined && y !== undefined) return Math.sign(x - y)
  const [s, t] = [textOf(a), textOf(b)]
  if (s !== undefined && t !== undefined) return s < t ? -1 : s > t ? 1 : 0
  if ((a.kind === 'list' || a.kind === 'tuple') && a.kind === b.kind) {
    const items = (b as typeof a).items
    for (let i = 0; i < Math.min(a.items.length, items.length); i++) {
      if (!equal(a.items[i]!, items[i]!)) return order(op, a.items[i]!, items[i]!)
    }
    return Math.sign(a.items.length - items.length)
  }
  throw new ExpressionError(`'${op}' cannot order ${toRepr(a)} and ${toRepr(b)}`)
}

function contains(container: PyValue, item: PyValue): boolean {
  switch (container.kind) {
    case 'list':
    case 'tuple':
    case 'set':
      return container.items.some((candidate) => equal(candidate, item))
    case 'dict':
      return container.entries.some(([key]) => equal(key, item))
    case 'str':
    case 'repr': {
      const text = textOf(item)
      if (text === undefined)
        throw new ExpressionError(`'in <string>' needs a string on its left, not ${toRepr(item)}`)
      return (textOf(container) ?? '').includes(text)
    }
    default:
      throw new ExpressionError(`${toRepr(container)} holds no items to look in`)
  }
}

function compare(op: Comparison, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case '==':
    case 'is':
      return equal(a, b)
    case '!=':
    case 'is not':
      return !equal(a, b)
    case '<':
      return order(op, a, b) < 0
    case '<=':
      return order(op, a, b) <= 0
    case '>':
      return order(op, a, b) > 0
    case '>=':
      return order(op, a, b) >= 0
    case 'in':
      return contains(b, a)
    case 'not in':
      return !contains(b, a)
  }
}

/** The pieces of a log message: text, and `{expression}`s (`{{` and `}}` are braces). */
export type MessagePart = string | { expr: Expr; text: string }

/** Compiles a logpoint's message; throws ExpressionError for a bad `{…}` in it. */
export function compileMessage(message: string): MessagePart[] {
  const parts: MessagePart[] = []
  let text = ''
  for (let at = 0; at < message.length; at++) {
    const char = message[at]!
    if ((char === '{' || char === '}') && message[at + 1] === char) {
      text += char
      at += 1
      continue
    }
    if (char !== '{') {
      text += char
      continue
    }
    const end = message.indexOf('}', at)
    if (end < 0) throw new ExpressionError('a "{" in the message is not closed')
    if (text !== '') parts.push(text)
    text = ''
    const source = message.slice(at + 1, end)
    parts.push({ expr: compile(source), text: source })
    at = end
  }
  if (text !== '') parts.push(text)
  return parts
}

/** The message at a moment: each `{expression}` as an f-string shows it (a name as recorded). */
export function renderMessage(parts: MessagePart[], lookup: Lookup): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return part
      try {
        // As an f-string shows it: a string's characters, anything else as recorded.
        if (part.expr.kind === 'name') {
          const text = lookup(part.expr.name)
          if (text !== undefined) {
            const value = fromRepr(text)
            return value.kind === 'str' ? value.value : text
          }
        }
        const value = evaluate(part.expr, lookup)
        return value.kind === 'str' ? value.value : toRepr(value)
      } catch (error) {
        if (error instanceof ExpressionError) return `<${part.text}: ${error.message}>`
        throw error
      }
    })
    .join('')
}
