import { describe, expect, it } from 'vitest'
import { hasProgram, programProfile } from '../../shared/profile-scope.js'
import type { Profile, ProfileCall, ProfileFunction } from '../../shared/types/profile.js'

const fn = (id: number, file: string, name: string, totalTime: number, cumulativeTime: number) =>
  ({
    id,
    file,
    line: 1,
    name,
    primitiveCalls: 1,
    calls: 1,
    totalTime,
    cumulativeTime,
  }) satisfies ProfileFunction
const call = (
  caller: number,
  callee: number,
  calls: number,
  totalTime: number,
  cumulativeTime: number,
) =>
  ({
    caller,
    callee,
    primitiveCalls: calls,
    calls,
    totalTime,
    cumulativeTime,
  }) satisfies ProfileCall

// boot (the interpreter) runs main; main calls a library function twice through two paths,
// and the library calls back into the program.
const PROFILE: Profile = {
  functions: [
    fn(1, '<frozen runpy>', 'boot', 5, 20),
    fn(2, 'prog.py', 'main', 1, 15),
    fn(3, '/lib/json.py', 'dumps', 4, 8),
    fn(4, '/lib/json.py', 'encode', 2, 4),
    fn(5, 'prog.py', 'callback', 2, 2),
  ],
  calls: [call(1, 2, 1, 1, 15), call(2, 3, 10, 4, 8), call(3, 4, 10, 2, 4), call(4, 5, 6, 2, 2)],
  totalTime: 14,
}
const isProgram = (file: string) => file === 'prog.py'

describe('the program-only profile', () => {
  it("keeps the program's functions, each with the own time of the library code below it", () => {
    const program = programProfile(PROFILE, isProgram)
    expect(program.functions.map((f) => [f.name, f.totalTime, f.cumulativeTime])).toEqual([
      ['main', 1 + 4 + 2, 15],
      ['callback', 2, 2],
    ])
    expect(program.totalTime).toBe(9)
  })

  it('turns a call through library code into a call between the program functions', () => {
    const program = programProfile(PROFILE, isProgram)
    expect(program.calls).toEqual([call(2, 5, 6, 2, 2)])
  })

  it('splits the time of library code called from two program functions by what each spent', () => {
    const profile: Profile = {
      functions: [...PROFILE.functions, fn(6, 'prog.py', 'other', 1, 2)],
      calls: [...PROFILE.calls, call(6, 3, 30, 12, 24)],
      totalTime: 15,
    }
    const times = Object.fromEntries(
      programProfile(profile, isProgram).functions.map((f) => [f.name, f.totalTime]),
    )
    // dumps spent 4 for main and 12 for other: main takes a quarter of dumps' and encode's time.
    expect(times['main']).toBeCloseTo(1 + (4 + 2) / 4)
    expect(times['other']).toBeCloseTo(1 + ((4 + 2) * 3) / 4)
  })

  it('is the default only when the profile has a function of the program', () => {
    expect(hasProgram(PROFILE, isProgram)).toBe(true)
    expect(hasProgram(PROFILE, () => false)).toBe(false)
  })
})
