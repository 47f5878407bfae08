/** A call stack as shown: runs of identical frames (deep recursion) folded into one row. */

import type { StackEntry } from '../../../shared/types/moment.js'

export interface StackRow {
  /** The innermost entry of the run. */
  entry: StackEntry
  /** How many identical frames in a row it stands for (1: a frame of its own). */
  count: number
}

/** Entries are identical when the same function is at the same line of the same file. */
function same(a: StackEntry, b: StackEntry): boolean {
  return a.function === b.function && a.file === b.file && a.line === b.line
}

/** The stack, innermost first, with each run of identical frames as one row. */
export function foldStack(stack: StackEntry[]): StackRow[] {
  const rows: StackRow[] = []
  for (const entry of stack) {
    const last = rows.at(-1)
    if (last !== undefined && same(last.entry, entry)) last.count += 1
    else rows.push({ entry, count: 1 })
  }
  return rows
}
