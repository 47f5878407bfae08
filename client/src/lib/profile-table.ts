/** The stats page's rows: pstats' columns, sortable by any of them and filtered by text. */

import type { ProfileFunction } from '../../../shared/types/profile.js'

export type SortKey =
  'ncalls' | 'tottime' | 'tottimePercall' | 'cumtime' | 'cumtimePercall' | 'function' | 'file'

export interface Sort {
  key: SortKey
  descending: boolean
}

/** ncalls as pstats prints it: `total/primitive` when recursion made them differ. */
export function formatCalls(fn: ProfileFunction): string {
  return fn.calls === fn.primitiveCalls ? String(fn.calls) : `${fn.calls}/${fn.primitiveCalls}`
}

/** Seconds with pstats' precision. */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(3)
}

export function tottimePercall(fn: ProfileFunction): number {
  return fn.calls === 0 ? 0 : fn.totalTime / fn.calls
}

/** pstats divides cumulative time by primitive calls. */
export function cumtimePercall(fn: ProfileFunction): number {
  return fn.primitiveCalls === 0 ? 0 : fn.cumulativeTime / fn.primitiveCalls
}

const VALUE: Record<SortKey, (fn: ProfileFunction) => number | string> = {
  ncalls: (fn) => fn.calls,
  tottime: (fn) => fn.totalTime,
  tottimePercall,
  cumtime: (fn) => fn.cumulativeTime,
  cumtimePercall,
  function: (fn) => fn.name,
  file: (fn) => `${fn.file}\u0000${String(fn.line).padStart(9, '0')}`,
}

/** The functions whose name or file contains `filter` (case-insensitive), sorted. */
export function profileRows(
  functions: readonly ProfileFunction[],
  sort: Sort,
  filter: string,
): ProfileFunction[] {
  const needle = filter.trim().toLowerCase()
  const rows = needle
    ? functions.filter(
        (fn) => fn.name.toLowerCase().includes(needle) || fn.file.toLowerCase().includes(needle),
      )
    : [...functions]
  const value = VALUE[sort.key]
  const direction = sort.descending ? -1 : 1
  return rows.sort((a, b) => {
    const x = value(a)
    const y = value(b)
    const order = x < y ? -1 : x > y ? 1 : 0
    return order * direction || a.id - b.id
  })
}
