/**
 * A profile narrowed to the program: only the functions of the files the run recorded, the
 * time of everything else (import machinery, the standard library, built-ins) folded into
 * the program functions that called it, directly or through other such functions.
 */

import type { Profile, ProfileCall, ProfileFunction } from './types/profile.js'

/** Which functions a profile shows: the program's alone, or the whole interpreter's. */
export type ProfileScope = 'program' | 'all'

/** True when the profile has a function of the program: then the program's view is the default. */
export function hasProgram(profile: Profile, isProgram: (file: string) => boolean): boolean {
  return profile.functions.some((fn) => isProgram(fn.file))
}

/**
 * The profile of the program's functions. A function outside it passes its own time up to its
 * callers in proportion to the time it spent for each, until a program function takes it;
 * time with no program function above it (the interpreter's start-up) is left out. A call
 * from the program through outside functions to the program (a callback) becomes a call
 * from the first program function to the last.
 */
export function programProfile(profile: Profile, isProgram: (file: string) => boolean): Profile {
  const byId = new Map(profile.functions.map((fn) => [fn.id, fn]))
  const kept = new Set(profile.functions.filter((fn) => isProgram(fn.file)).map((fn) => fn.id))
  const callers = new Map<number, ProfileCall[]>()
  for (const call of profile.calls) {
    const list = callers.get(call.callee)
    if (list === undefined) callers.set(call.callee, [call])
    else list.push(call)
  }

  const shares = new Map<number, Map<number, number>>()
  const visiting = new Set<number>()
  /** The program functions above `id`, each with the share of `id`'s time it takes. */
  function shareOf(id: number): Map<number, number> {
    if (kept.has(id)) return new Map([[id, 1]])
    const known = shares.get(id)
    if (known !== undefined) return known
    const share = new Map<number, number>()
    if (visiting.has(id)) return share // a cycle outside the program: its way up is elsewhere
    visiting.add(id)
    const edges = (callers.get(id) ?? []).filter((edge) => edge.caller !== id)
    const weights = edges.map((edge) => edge.totalTime)
    const sum = weights.reduce((a, b) => a + b, 0)
    edges.forEach((edge, index) => {
      const part = sum > 0 ? weights[index]! / sum : 1 / edges.length
      for (const [above, fraction] of shareOf(edge.caller))
        share.set(above, (share.get(above) ?? 0) + part * fraction)
    })
    visiting.delete(id)
    shares.set(id, share)
    return share
  }

  const own = new Map<number, number>([...kept].map((id) => [id, byId.get(id)!.totalTime]))
  for (const fn of profile.functions) {
    if (kept.has(fn.id)) continue
    for (const [above, fraction] of shareOf(fn.id))
      own.set(above, own.get(above)! + fn.totalTime * fraction)
  }

  const calls = new Map<string, ProfileCall>()
  const add = (caller: number, edge: ProfileCall, fraction: number) => {
    const key = `${caller}>${edge.callee}`
    const found = calls.get(key)
    const scaled = (value: number) => value * fraction
    if (found === undefined) {
      calls.set(key, {
        caller,
        callee: edge.callee,
        primitiveCalls: Math.round(scaled(edge.primitiveCalls)),
        calls: Math.round(scaled(edge.calls)),
        totalTime: scaled(edge.totalTime),
        cumulativeTime: scaled(edge.cumulativeTime),
      })
    } else {
      found.primitiveCalls += Math.round(scaled(edge.primitiveCalls))
      found.calls += Math.round(scaled(edge.calls))
      found.totalTime += scaled(edge.totalTime)
      found.cumulativeTime += scaled(edge.cumulativeTime)
    }
  }
  for (const edge of profile.calls) {
    if (!kept.has(edge.callee)) continue
    if (kept.has(edge.caller)) add(edge.caller, edge, 1)
    else for (const [above, fraction] of shareOf(edge.caller)) add(above, edge, fraction)
  }

  const functions: ProfileFunction[] = [...kept].map((id) => ({
    ...byId.get(id)!,
    totalTime: own.get(id)!,
  }))
  return {
    functions,
    calls: [...calls.values()].filter((call) => call.calls > 0),
    totalTime: functions.reduce((sum, fn) => sum + fn.totalTime, 0),
  }
}
