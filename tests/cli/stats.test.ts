/** `smiley stats show` and `smiley stats export`: the profile, as pstats and cProfile see it. */

import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string
let program: string
let exported: string

const PROGRAM = `
class Shape:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side

def factorial(n):
    return 1 if n <= 1 else n * factorial(n - 1)

def fibonacci(n):
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)

def main():
    shapes = [Shape(n) for n in range(20)]
    areas = sorted(shape.area() for shape in shapes)
    return sum(areas) + factorial(12) + fibonacci(12) + len(str(areas))

main()
`

/** Runs a Python snippet with arguments and parses what it prints as JSON. */
function python<T>(code: string, ...args: string[]): T {
  return JSON.parse(execFileSync('python3', ['-c', code, ...args], { encoding: 'utf8' })) as T
}

beforeAll(async () => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, { 'shapes.py': PROGRAM, 'quiet.py': 'x = 1\n' })
  program = join(dir.path, 'shapes.py')
  await smiley(['run', '-d', db, '--no-profile', 'quiet.py'], { cwd: dir.path })
  await smiley(['run', '-d', db, 'shapes.py'], { cwd: dir.path })
  exported = join(dir.path, 'shapes.pstats')
  const result = await smiley(['stats', 'export', '-d', db, 'latest', exported])
  expect(result.code, result.stderr).toBe(0)
  expect(result.stdout).toMatch(/^wrote .*shapes\.pstats: \d+ functions/)
})
afterAll(() => dir.remove())

function oneLineError(result: Result, code = 1): string {
  expect(result.code).toBe(code)
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  return result.stderr.trim()
}

describe('smiley stats export', () => {
  it('writes a file pstats loads, with the call counts cProfile gives the program directly', () => {
    // (primitive calls, calls) of each function of the program, keyed by pstats' name for it.
    const counts = (stats: string) => `
import json, sys
${stats}
print(json.dumps({"%s:%d(%s)" % key: value[:2] for key, value in stats.items()
                  if key[0] == sys.argv[1]}))
`
    const fromFile = python<Record<string, number[]>>(
      counts(`import pstats\nstats = pstats.Stats(sys.argv[2]).stats`),
      program,
      exported,
    )
    const direct = python<Record<string, number[]>>(
      counts(`
import cProfile, runpy
profiler = cProfile.Profile()
profiler.enable()
runpy.run_path(sys.argv[1], run_name="__main__")
profiler.disable()
profiler.create_stats()
stats = profiler.stats`),
      program,
    )
    expect(Object.keys(direct).length).toBeGreaterThanOrEqual(6)
    expect(fromFile).toEqual(direct)
    expect(fromFile[`${program}:8(factorial)`]).toEqual([1, 12])
  })

  it('keeps times as floats and callers as pstats expects them', () => {
    const shape = python<{ types: string[]; callers: string[] }>(
      `
import json, pstats, sys
stats = pstats.Stats(sys.argv[1]).stats
key = next(k for k in stats if k[2] == "area")
cc, nc, tt, ct, callers = stats[key]
print(json.dumps({
    "types": sorted({type(v).__name__ for s in stats.values() for v in s[2:4]}),
    "callers": sorted(c[2] for c in callers),
}))
`,
      exported,
    )
    expect(shape.types).toEqual(['float'])
    expect(shape.callers).toEqual(['<genexpr>'])
  })

  it('says so in one line when the run has no profile or the file cannot be written', async () => {
    const runs = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Array<{
      id: string
    }>
    const quiet = runs[1]!.id
    expect(oneLineError(await smiley(['stats', 'export', '-d', db, quiet, exported]))).toBe(
      `smiley: run ${quiet.slice(0, 8)} has no profile: it was recorded with --no-profile`,
    )
    const nowhere = join(dir.path, 'missing', 'x.pstats')
    expect(oneLineError(await smiley(['stats', 'export', '-d', db, 'latest', nowhere]))).toBe(
      `smiley: cannot write ${nowhere}: its folder does not exist`,
    )
    expect(oneLineError(await smiley(['stats', 'export', '-d', db, 'latest', dir.path]))).toBe(
      `smiley: cannot write ${dir.path}: it is a folder`,
    )
    oneLineError(await smiley(['stats', 'export', '-d', db, 'latest']), 2)
  })
})

describe('smiley stats show', () => {
  /** What pstats prints for the exported file, from the summary line on. */
  function pstatsText(sort: string[], limit?: number): string {
    const printed = execFileSync(
      'python3',
      [
        '-c',
        `
import json, pstats, sys
stats = pstats.Stats(sys.argv[1], stream=sys.stdout)
stats.sort_stats(*json.loads(sys.argv[2]))
stats.print_stats(*json.loads(sys.argv[3]))
`,
        exported,
        JSON.stringify(sort),
        JSON.stringify(limit === undefined ? [] : [limit]),
      ],
      { encoding: 'utf8' },
    )
    return printed.slice(printed.indexOf('         ')).trimEnd()
  }

  it.each([
    [['cumulative']],
    [['tottime'], 8],
    [['calls', 'name']],
    [['pcalls']],
    [['file', 'line']],
    [['nfl']],
    [['stdname'], 5],
    [['time', 'module']],
    [['cumu'], 0],
  ])('prints what pstats prints, sorted by %j, limit %s', async (sort, limit?: number) => {
    const args = ['stats', 'show', '-d', db, 'latest', ...sort.flatMap((key) => ['-s', key])]
    if (limit !== undefined) args.push('--limit', String(limit))
    const result = await smiley(args)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trimEnd()).toBe(pstatsText(sort, limit))
  })

  it('sorts by cumulative time by default and marks recursive calls total/primitive', async () => {
    const result = await smiley(['stats', 'show', '-d', db, 'latest'])
    expect(result.stdout).toMatch(
      /^ {9}\d+ function calls \(\d+ primitive calls\) in \d+\.\d{3} seconds\n/,
    )
    expect(result.stdout).toContain('\n   Ordered by: cumulative time\n')
    expect(result.stdout).toMatch(/\n {4}465\/1 +[\d. ]+ \S+shapes\.py:11\(fibonacci\)\n/)
    expect(result.stdout).not.toContain('\u001b[')
  })

  it('prints the profile as JSON with --json', async () => {
    const result = await smiley([
      'stats',
      'show',
      '--json',
      '-s',
      'calls',
      '-n',
      '3',
      '-d',
      db,
      'latest',
    ])
    const profile = JSON.parse(result.stdout) as {
      functions: Array<{ name: string; calls: number }>
      calls: Array<{ callee: number }>
      totalTime: number
    }
    expect(profile.functions.map((f) => [f.name, f.calls])).toContainEqual(['fibonacci', 465])
    expect(profile.functions).toHaveLength(3)
    expect(profile.totalTime).toBeGreaterThan(0)
  })

  it('rejects a bad sort key in one line that lists the valid ones, with exit status 2', async () => {
    expect(
      oneLineError(await smiley(['stats', 'show', '-d', db, '-s', 'speed', 'latest']), 2),
    ).toBe(
      'smiley: unknown sort key "speed": use one of calls, cumtime, cumulative, file, filename, ' +
        'line, module, name, ncalls, nfl, pcalls, stdname, time, tottime',
    )
    // pstats takes no abbreviation two keys share.
    oneLineError(await smiley(['stats', 'show', '-d', db, '-s', 'cum', 'latest']), 2)
  })

  it('says when a run has no profile, and rejects unknown runs and subcommands', async () => {
    const runs = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Array<{
      id: string
    }>
    expect(oneLineError(await smiley(['stats', 'show', '-d', db, runs[1]!.id]))).toContain(
      'has no profile: it was recorded with --no-profile',
    )
    oneLineError(await smiley(['stats', 'show', '-d', db, 'ffffffff']))
    expect(oneLineError(await smiley(['stats', 'shwo', 'latest']), 2)).toBe(
      'smiley: unknown stats command "shwo" (did you mean show?) (see: smiley stats --help)',
    )
    oneLineError(await smiley(['stats']), 2)
    const notADatabase = join(dir.path, 'notes.txt')
    writeFileSync(notADatabase, 'hello\n'.repeat(100))
    oneLineError(await smiley(['stats', 'show', '-d', notADatabase, 'latest']))
  })
})
