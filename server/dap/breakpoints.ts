/**
 * Breakpoints over a recording, as the debugger was given them: where (a line of a file, or
 * the calls of a function), and when (a condition, a hit count, or a message to log instead
 * of stopping). Compiled once, when set; a condition or message that cannot be compiled
 * leaves its breakpoint unverified with the reason, and never stops anything.
 */

import { compile, compileMessage, type Expr, type MessagePart } from './expressions.js'
import { ExpressionError } from './python-values.js'

/** When a breakpoint counts as hit by its Nth hit: `3` or `== 3`, `>= 3`, `> 3`, `< 3`, `<= 3`, `% 3`. */
export interface HitCondition {
  op: '==' | '>=' | '>' | '<' | '<=' | '%'
  count: number
}

/** What a breakpoint asks, however it was placed. */
export interface BreakpointRule {
  id: number
  condition?: Expr
  hit?: HitCondition
  log?: MessagePart[]
  /** Why the breakpoint cannot work, when it cannot. */
  problem?: string
}

export interface LineBreakpoint extends BreakpointRule {
  line: number
  /** The source's path, as the debugger named it. */
  path: string
  /** The run's id of the file, when the run ran it. */
  file: number | undefined
}

export interface FunctionBreakpoint extends BreakpointRule {
  /** A function's name, or its qualified name (`Class.method`). */
  name: string
}

export interface RuleSource {
  condition?: string
  hitCondition?: string
  logMessage?: string
}

/** The hit condition `text` holds; throws ExpressionError when it holds none. */
export function parseHitCondition(text: string): HitCondition {
  const match = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(text)
  if (match === null)
    throw new ExpressionError(
      `a hit count is a number, optionally after ==, >=, >, <, <= or % (not "${text}")`,
    )
  const count = Number(match[2])
  const op = (match[1] ?? '==') as HitCondition['op']
  if (op === '%' && count === 0) throw new ExpressionError('% 0 would never hit')
  return { op, count }
}

/** True when the `count`th hit of a breakpoint with this hit condition stops. */
export function hitCounts(hit: HitCondition, count: number): boolean {
  switch (hit.op) {
    case '==':
      return count === hit.count
    case '>=':
      return count >= hit.count
    case '>':
      return count > hit.count
    case '<':
      return count < hit.count
    case '<=':
      return count <= hit.count
    case '%':
      return count % hit.count === 0
  }
}

/** The rule of a breakpoint; its `problem` says what of `source` could not be compiled. */
export function compileRule(id: number, source: RuleSource): BreakpointRule {
  const rule: BreakpointRule = { id }
  const attempt = (what: string, work: () => void) => {
    try {
      work()
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error
      rule.problem ??= `${what}: ${error.message}`
    }
  }
  if (source.condition !== undefined && source.condition.trim() !== '')
    attempt('invalid condition', () => (rule.condition = compile(source.condition!)))
  if (source.hitCondition !== undefined && source.hitCondition.trim() !== '')
    attempt('invalid hit count', () => (rule.hit = parseHitCondition(source.hitCondition!)))
  if (source.logMessage !== undefined && source.logMessage !== '')
    attempt('invalid log message', () => (rule.log = compileMessage(source.logMessage!)))
  return rule
}
