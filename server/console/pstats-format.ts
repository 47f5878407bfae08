/**
 * A profile printed as `pstats.Stats.print_stats` prints it:
 *
 *              1234 function calls (1200 primitive calls) in 0.012 seconds
 *
 *        Ordered by: cumulative time
 *
 *        ncalls  tottime  percall  cumtime  percall filename:lineno(function)
 *           6/1    0.000    0.000    0.001    0.001 prog.py:3(walk)
 *
 * Same widths, same rounding, same order, so it reads like (and diffs against) Python's own.
 */

import type { Profile } from '../../shared/types/profile.js'
import { describeOrder, sortFunctions, standardName } from './pstats-sort.js'

export interface PstatsOptions {
  /** Sort keys, as pstats names them (see pstats-sort.ts). */
  sort: readonly string[]
  /** At most this many functions, as `print_stats(limit)`. */
  limit?: number
}

/** The header line, the order, and the table (whose first line is the column titles). */
export interface PstatsText {
  summary: string[]
  table: string[]
}

export const PSTATS_TITLE =
  '   ncalls  tottime  percall  cumtime  percall filename:lineno(function)'

/** The text pstats would print for `profile`, without the file name it starts with. */
export function formatPstats(profile: Profile, options: PstatsOptions): PstatsText {
  let total = 0
  let primitive = 0
  for (const f of profile.functions) {
    total += f.calls
    primitive += f.primitiveCalls
  }
  const calls =
    total === primitive
      ? `${total} function calls`
      : `${total} function calls (${primitive} primitive calls)`
  const summary = [`         ${calls} in ${fixed(profile.totalTime, 3)} seconds`, '']
  const sorted = sortFunctions(profile.functions, options.sort)
  const { limit } = options
  const shown = limit !== undefined && limit < sorted.length ? sorted.slice(0, limit) : sorted
  if (shown.length === 0) return { summary, table: [] }
  summary.push(`   Ordered by: ${describeOrder(options.sort)}`)
  if (shown.length < sorted.length)
    summary.push(
      `   List reduced from ${sorted.length} to ${shown.length} due to restriction <${limit}>`,
    )
  summary.push('')
  const table = [PSTATS_TITLE]
  for (const f of shown) {
    const ncalls = f.calls === f.primitiveCalls ? `${f.calls}` : `${f.calls}/${f.primitiveCalls}`
    table.push(
      [
        ncalls.padStart(9),
        f8(f.totalTime),
        f.calls === 0 ? ' '.repeat(8) : f8(f.totalTime / f.calls),
        f8(f.cumulativeTime),
        f.primitiveCalls === 0 ? ' '.repeat(8) : f8(f.cumulativeTime / f.primitiveCalls),
        standardName(f),
      ].join(' '),
    )
  }
  return { summary, table }
}

function f8(seconds: number): string {
  return fixed(seconds, 3).padStart(8)
}

/**
 * `value` with `digits` decimals, rounded as Python's `'%.3f'` rounds: to the nearest, and
 * an exact tie to even. `toFixed` alone rounds an exact tie up (0.0625 → 0.063, not 0.062).
 */
export function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits)
  if (!Number.isFinite(value) || !isExactTie(value, digits)) return text
  const last = Number(text.at(-1))
  if (last % 2 === 0) return text
  const step = 10 ** -digits
  return (Number(text) - Math.sign(value) * step).toFixed(digits)
}

/** True when `value` × 10^digits is exactly halfway between two integers. */
function isExactTie(value: number, digits: number): boolean {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(value))
  const bits = view.getBigUint64(0)
  const exponent = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & 0xfffffffffffffn
  if (exponent === 0 && fraction === 0n) return false
  // value = mantissa × 2^-shift, exactly.
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n)
  const shift = 1075 - (exponent === 0 ? 1 : exponent)
  if (shift <= 0) return false
  const scaled = mantissa * 10n ** BigInt(digits)
  const denominator = 1n << BigInt(shift)
  return (scaled % denominator) * 2n === denominator
}
