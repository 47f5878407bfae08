/**
 * Runs as a tree of processes: each child process's run under the run that started it. Used
 * by `smiley list`, the runs page and the run page's Processes tab.
 */

import type { Run } from './types/run.js'

/** A run with its depth in the tree (0 for a run without a listed parent). */
export interface NestedRun {
  run: Run
  depth: number
}

/**
 * `runs` in the order given, each followed by its children (and theirs), oldest first. A run
 * whose parent is not among `runs` stands at the top.
 */
export function nestRuns(runs: readonly Run[]): NestedRun[] {
  const ids = new Set(runs.map((run) => run.id))
  const children = new Map<string, Run[]>()
  const tops: Run[] = []
  for (const run of runs) {
    const parent = run.process?.parent
    if (parent && ids.has(parent) && parent !== run.id) {
      const siblings = children.get(parent) ?? []
      siblings.push(run)
      children.set(parent, siblings)
    } else tops.push(run)
  }
  const nested: NestedRun[] = []
  const seen = new Set<string>()
  const visit = (run: Run, depth: number): void => {
    if (seen.has(run.id)) return
    seen.add(run.id)
    nested.push({ run, depth })
    const under = [...(children.get(run.id) ?? [])].sort((a, b) => a.startedAt - b.startedAt)
    for (const child of under) visit(child, depth + 1)
  }
  for (const run of tops) visit(run, 0)
  return nested
}

/** How a child process's run was started, for a listing: `multiprocessing-fork, pid 4121`. */
export function processLabel(run: Run): string | null {
  if (run.process === undefined) return null
  return run.pid === null ? run.process.startedBy : `${run.process.startedBy}, pid ${run.pid}`
}

/**
 * The whole process tree `run` belongs to, among `runs`: from its topmost listed ancestor down,
 * nested. Just `run` when it has neither a listed parent nor children.
 */
export function processTree(run: Run, runs: readonly Run[]): NestedRun[] {
  const byId = new Map(runs.map((other) => [other.id, other]))
  let root = run
  const seen = new Set([run.id])
  for (;;) {
    const parent = root.process?.parent ? byId.get(root.process.parent) : undefined
    if (parent === undefined || seen.has(parent.id)) break
    seen.add(parent.id)
    root = parent
  }
  const members = new Set([root.id])
  // Children are added as their parent joins: runs whose parent is in the tree, to a fixed point.
  let grew = true
  while (grew) {
    grew = false
    for (const other of runs) {
      const parent = other.process?.parent
      if (parent && members.has(parent) && !members.has(other.id)) {
        members.add(other.id)
        grew = true
      }
    }
  }
  return nestRuns([root, ...runs.filter((other) => other.id !== root.id && members.has(other.id))])
}
