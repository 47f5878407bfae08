/**
 * gprof2dot's model of a pstats profile, and its pruning: which functions and calls a graph
 * keeps, and the shares of time they are drawn by.
 *
 * For pstats input gprof2dot does not look for cycles or propagate time along the calls (it
 * does for sampling profilers): cProfile already measured each function's cumulative time and
 * each call's, recursion included, and gprof2dot takes those as they are. A recursive function
 * is a node with an edge to itself; functions calling each other are nodes with edges both ways.
 */

import type { Profile, ProfileCall, ProfileFunction } from '../../shared/types/profile.js'

/** A function that stays in the graph. */
export interface KeptFunction {
  function: ProfileFunction
  totalRatio: number
  selfRatio: number
}

/** A call that stays in the graph. */
export interface KeptCall {
  call: ProfileCall
  totalRatio: number
}

export interface PrunedProfile {
  /** In gprof2dot's order. */
  functions: KeptFunction[]
  /** Grouped by caller in the order of `functions`, each group in its callees' order. */
  calls: KeptCall[]
  totalTime: number
  selfTime: number
  /** The calls gprof2dot sees in the profile, before pruning. */
  callCount: number
}

/**
 * Keeps what `gprof2dot -f pstats -n NODE -e EDGE` keeps, for the `.pstats` file
 * `smiley stats export` writes of `profile`. Thresholds are fractions (0.005 for 0.5 %).
 */
export function pruneProfile(
  profile: Profile,
  nodeThreshold: number,
  edgeThreshold: number,
): PrunedProfile {
  const byId = new Map<number, ProfileFunction>()
  for (const f of profile.functions) byId.set(f.id, f)

  // The callers dict of each function, as the exported file holds it: calls between known
  // functions only, a repeated pair replacing the earlier one in its place, as a dict does.
  const callers = new Map<number, Map<number, ProfileCall>>()
  let callCount = 0
  for (const call of profile.calls) {
    if (!byId.has(call.caller) || !byId.has(call.callee)) continue
    let group = callers.get(call.callee)
    if (group === undefined) callers.set(call.callee, (group = new Map()))
    if (!group.has(call.caller)) callCount += 1
    group.set(call.caller, call)
  }

  // gprof2dot numbers functions as it meets them: each entry of the file, then its callers.
  // It writes nodes and edges in that order, and so do we.
  const order = new Map<number, number>()
  const meet = (id: number) => {
    if (!order.has(id)) order.set(id, order.size)
  }
  for (const f of profile.functions) {
    meet(f.id)
    for (const caller of callers.get(f.id)?.keys() ?? []) meet(caller)
  }

  // The own times summed in the file's order (pstats' total_tt); the total is the longest
  // cumulative time when that exceeds it, as it does when the profile holds the entry point.
  let selfTime = 0
  for (const f of profile.functions) selfTime += f.totalTime
  let totalTime = selfTime
  for (const f of profile.functions) if (f.cumulativeTime > totalTime) totalTime = f.cumulativeTime

  const kept = new Map<number, KeptFunction>()
  for (const f of profile.functions) {
    const totalRatio = ratio(f.cumulativeTime, totalTime)
    if (totalRatio < nodeThreshold || kept.has(f.id)) continue
    kept.set(f.id, { function: f, totalRatio, selfRatio: ratio(f.totalTime, selfTime) })
  }

  const calls: Array<KeptCall & { rank: number }> = []
  for (const [callee, group] of callers) {
    if (!kept.has(callee)) continue
    for (const [caller, call] of group) {
      if (!kept.has(caller)) continue
      const totalRatio = ratio(call.cumulativeTime, totalTime)
      if (totalRatio < edgeThreshold) continue
      calls.push({ call, totalRatio, rank: order.get(caller)! * order.size + order.get(callee)! })
    }
  }
  calls.sort((a, b) => a.rank - b.rank)

  const functions = [...kept.values()].sort(
    (a, b) => order.get(a.function.id)! - order.get(b.function.id)!,
  )
  return {
    functions,
    calls: calls.map(({ call, totalRatio }) => ({ call, totalRatio })),
    totalTime,
    selfTime,
    callCount,
  }
}

/**
 * gprof2dot's `ratio`: a share clamped to 0…1, and 1 when the denominator is 0 (it finds that
 * more useful than undefined).
 */
export function ratio(numerator: number, denominator: number): number {
  if (denominator === 0) return 1
  const share = numerator / denominator
  if (share < 0) return 0
  if (share > 1) return 1
  return share
}
