/**
 * A synthetic cProfile profile of any size, for measuring the call graph and the stats page
 * on profiles far larger than a test records.
 */

import type { Profile, ProfileCall, ProfileFunction } from '../../shared/types/profile.js'

/** A seeded generator, so every run measures the same profile. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A profile shaped like a real program's: a `<module>` calling `main`, then layers of
 * functions each called from one to four earlier ones, a few favourites (helpers, built-ins)
 * called from everywhere, 2 % recursive functions and 1 % of calls going back up (cycles).
 * Own times are heavy-tailed; cumulative times add up along the calls as cProfile's do.
 */
export function syntheticProfile(size: number, seed = 1): Profile {
  const next = random(seed)
  const functions: ProfileFunction[] = []
  for (let id = 0; id < size; id += 1) {
    const builtin = id > 1 && next() < 0.1
    const calls = id < 2 ? 1 : 1 + Math.floor(-Math.log(1 - next()) * 40)
    functions.push({
      id,
      file: builtin ? '~' : `/app/pkg/module${id % 200}.py`,
      line: builtin ? 0 : 1 + Math.floor(next() * 900),
      name: id === 0 ? '<module>' : builtin ? `<built-in method m${id}>` : `function_${id}`,
      primitiveCalls: calls,
      calls,
      totalTime: (-Math.log(1 - next())) ** 3 * 1e-4 * calls,
      cumulativeTime: 0,
    })
  }

  // Callers come before their callees, so the cumulative times can be summed bottom-up.
  const incoming = new Map<number, number[]>()
  const favourites = Array.from({ length: 40 }, () => Math.floor(next() * size))
  for (let callee = 1; callee < size; callee += 1) {
    const callers = new Set<number>([callee === 1 ? 0 : Math.floor(next() * callee)])
    const extra = Math.floor(next() ** 3 * 4)
    for (let i = 0; i < extra; i += 1) callers.add(Math.floor(next() * callee))
    incoming.set(callee, [...callers])
  }
  for (const favourite of favourites) {
    for (let i = 0; i < 30; i += 1) {
      const caller = Math.floor(next() * favourite)
      if (favourite > 1) incoming.get(favourite)!.push(caller)
    }
  }

  const calls: ProfileCall[] = []
  const outgoing = new Map<number, ProfileCall[]>()
  for (let callee = size - 1; callee >= 1; callee -= 1) {
    const f = functions[callee]!
    f.cumulativeTime += f.totalTime
    const callers = [...new Set(incoming.get(callee))]
    const shares = callers.map(() => 0.2 + next())
    const sum = shares.reduce((a, b) => a + b, 0)
    callers.forEach((caller, i) => {
      const share = shares[i]! / sum
      const count = Math.max(1, Math.round(f.calls * share))
      const call: ProfileCall = {
        caller,
        callee,
        primitiveCalls: count,
        calls: count,
        totalTime: f.totalTime * share,
        cumulativeTime: f.cumulativeTime * share,
      }
      calls.push(call)
      functions[caller]!.cumulativeTime += call.cumulativeTime
      let list = outgoing.get(caller)
      if (list === undefined) outgoing.set(caller, (list = []))
      list.push(call)
    })
  }
  functions[0]!.cumulativeTime += functions[0]!.totalTime

  // Recursion and cycles add edges but, as in cProfile, no time twice.
  for (const f of functions) {
    if (f.id < 2) continue
    if (next() < 0.02) {
      const depth = 1 + Math.floor(next() * 20)
      f.calls += depth * f.primitiveCalls
      calls.push({
        caller: f.id,
        callee: f.id,
        primitiveCalls: Math.max(1, depth - 1),
        calls: depth * f.primitiveCalls,
        totalTime: f.totalTime * 0.9,
        cumulativeTime: f.cumulativeTime * 0.9,
      })
    }
    if (next() < 0.01) {
      const back = 1 + Math.floor(next() * (f.id - 1))
      calls.push({
        caller: f.id,
        callee: back,
        primitiveCalls: 1,
        calls: 1,
        totalTime: 0,
        cumulativeTime: functions[back]!.cumulativeTime * 0.05,
      })
    }
  }
  calls.sort((a, b) => a.callee - b.callee || a.caller - b.caller)
  return { functions, calls, totalTime: functions.reduce((sum, f) => sum + f.totalTime, 0) }
}
