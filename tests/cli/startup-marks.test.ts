/**
 * `smiley run`'s start-up, moment by moment (SMILEY_STARTUP_MARKS, read by the startup bench):
 * the interpreter is spawned before the recording's modules load, the program's first line
 * comes after the go byte, and smiley ends after the run is written, on one clock with the
 * program's own.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = tempDir()
  writePrograms(dir.path, {
    'one_line.py': `
import sys, time
open(sys.argv[1], "w").write(repr(time.time()))
print("ran", flush=True)
sys.exit(4)
`,
  })
})
afterAll(() => dir.remove())

/** Each moment's time, and the CPU time its process had used by then. */
function moments(file: string): { at: Map<string, number>; cpu: Map<string, number> } {
  const at = new Map<string, number>()
  const cpu = new Map<string, number>()
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const found = /^(.+) ([\d.]+) ([\d.]+)$/.exec(line)
    expect(found, line).not.toBeNull()
    at.set(found![1]!, Number(found![2]))
    cpu.set(found![1]!, Number(found![3]))
  }
  return { at, cpu }
}

describe('smiley run moment by moment', { timeout: 60_000 }, () => {
  it('spawns the interpreter first, lets the program go once the store is open, and ends after the run is written', async () => {
    const marks = join(dir.path, 'marks')
    const line = join(dir.path, 'line-ran')
    const db = join(dir.path, 'runs.db')
    const result = await smiley(['run', '-d', db, join(dir.path, 'one_line.py'), line], {
      env: { SMILEY_STARTUP_MARKS: marks },
    })
    expect(result.stdout).toBe('ran\n')
    expect(result.code, result.stderr).toBe(4)
    const { at: found, cpu } = moments(marks)
    found.set("program's first line", Number(readFileSync(line, 'utf8')))
    const order = [
      'node started',
      'smiley loaded',
      'interpreter spawned',
      'recording loaded',
      'store open',
      'tracer let go',
      "program's first line",
      'program exited',
      'run written',
      'children done',
      'store closed',
      'smiley exiting',
    ]
    for (const name of order) expect(found.get(name), name).toBeGreaterThan(0)
    const times = order.map((name) => found.get(name)!)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(found.get('tracer waiting at the gate')).toBeLessThanOrEqual(found.get('tracer let go')!)
    expect(found.get('interpreter spawned')).toBeLessThan(found.get('tracer waiting at the gate')!)
    // Node's CPU time only grows, and the tracer's is its interpreter's own.
    expect(cpu.get('smiley loaded')).toBeGreaterThan(0)
    expect(cpu.get('smiley exiting')).toBeGreaterThan(cpu.get('recording loaded')!)
    expect(cpu.get('tracer let go')).toBeGreaterThan(0)
  })
})
