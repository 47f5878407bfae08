/**
 * Ordering a profile's functions the way `pstats.Stats.sort_stats` does: the same key
 * names and abbreviations, the same directions, and a stable sort, so that ties keep the
 * order the functions were stored in, as they do in pstats.
 */

import type { ProfileFunction } from '../../shared/types/profile.js'

type Field = (f: ProfileFunction) => number | string
type Order = Array<[Field, 1 | -1]>

const pcalls: Field = (f) => f.primitiveCalls
const calls: Field = (f) => f.calls
const tottime: Field = (f) => f.totalTime
const cumtime: Field = (f) => f.cumulativeTime
const file: Field = (f) => f.file
const line: Field = (f) => f.line
const name: Field = (f) => f.name
const stdname: Field = (f) => standardName(f)

/** pstats' sort keys in pstats' order (which decides its abbreviations), with `Ordered by:` text. */
const KEYS: ReadonlyArray<[string, Order, string]> = [
  ['calls', [[calls, -1]], 'call count'],
  ['ncalls', [[calls, -1]], 'call count'],
  ['cumtime', [[cumtime, -1]], 'cumulative time'],
  ['cumulative', [[cumtime, -1]], 'cumulative time'],
  ['filename', [[file, 1]], 'file name'],
  ['line', [[line, 1]], 'line number'],
  ['module', [[file, 1]], 'file name'],
  ['name', [[name, 1]], 'function name'],
  [
    'nfl',
    [
      [name, 1],
      [file, 1],
      [line, 1],
    ],
    'name/file/line',
  ],
  ['pcalls', [[pcalls, -1]], 'primitive call count'],
  ['stdname', [[stdname, 1]], 'standard name'],
  ['time', [[tottime, -1]], 'internal time'],
  ['tottime', [[tottime, -1]], 'internal time'],
]

/**
 * Every accepted spelling, built as `Stats.get_sort_arg_defs` builds it: each key and its
 * prefixes, where the first prefix already taken by an earlier key is dropped with the
 * shorter ones left to that key (so `file` is `filename`, `cum` is ambiguous, `cu` is
 * `cumtime`, exactly as in pstats).
 */
const SPELLINGS: ReadonlyMap<string, { order: Order; description: string }> = (() => {
  const spellings = new Map<string, { order: Order; description: string }>()
  const shared = new Set<string>()
  for (const [key, order, description] of KEYS) {
    for (let fragment = key; fragment !== ''; fragment = fragment.slice(0, -1)) {
      if (spellings.has(fragment)) {
        shared.add(fragment)
        break
      }
      spellings.set(fragment, { order, description })
    }
  }
  for (const fragment of shared) spellings.delete(fragment)
  return spellings
})()

/** The sort keys as Python's documentation lists them; pstats' abbreviations work too. */
export const SORT_KEYS: readonly string[] = [...KEYS.map(([key]) => key), 'file'].sort()

export const DEFAULT_SORT_KEY = 'cumulative'

/** True when pstats accepts `key`: a sort key, or an abbreviation it takes. */
export function isSortKey(key: string): boolean {
  return SPELLINGS.has(key)
}

/** `functions` sorted by `keys` in turn, as pstats sorts them; the input is left as it was. */
export function sortFunctions(
  functions: readonly ProfileFunction[],
  keys: readonly string[],
): ProfileFunction[] {
  const order = keys.flatMap((key) => SPELLINGS.get(key)?.order ?? [])
  return [...functions].sort((a, b) => {
    for (const [field, direction] of order) {
      const x = field(a)
      const y = field(b)
      if (x < y) return -direction
      if (x > y) return direction
    }
    return 0
  })
}

/** How pstats' `Ordered by:` line names `keys`. */
export function describeOrder(keys: readonly string[]): string {
  return keys.map((key) => SPELLINGS.get(key)?.description ?? key).join(', ')
}

/** `file:line(name)`, or `{name}` for a built-in, as pstats prints a function. */
export function standardName(f: Pick<ProfileFunction, 'file' | 'line' | 'name'>): string {
  if (f.file === '~' && f.line === 0) {
    return f.name.startsWith('<') && f.name.endsWith('>') ? `{${f.name.slice(1, -1)}}` : f.name
  }
  return `${f.file}:${f.line}(${f.name})`
}
