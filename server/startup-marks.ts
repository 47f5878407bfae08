/**
 * Moments of smiley's own start and end, for `smiley run`'s start-up breakdown (scripts/bench,
 * startup section): with SMILEY_STARTUP_MARKS naming a file, each moment is appended to it as
 * `name seconds-since-the-epoch cpu-seconds` (the CPU time this process has used so far: on a
 * loaded machine, what wall-clock time cannot show), beside the tracer's
 * (smiley_tracer/startup_marks.py), on the same clock. Without it, nothing is written.
 */

import { appendFileSync } from 'node:fs'

const FILE = process.env['SMILEY_STARTUP_MARKS']

let started = false

/** Notes that `name` happened now; the first mark also notes when Node itself started. */
export function mark(name: string): void {
  if (!FILE) return
  const now = performance.timeOrigin + performance.now()
  const { user, system } = process.cpuUsage()
  const cpu = ((user + system) / 1e6).toFixed(6)
  const lines = started ? '' : `node started ${(performance.timeOrigin / 1000).toFixed(6)} 0\n`
  started = true
  try {
    appendFileSync(FILE, `${lines}${name} ${(now / 1000).toFixed(6)} ${cpu}\n`)
  } catch {
    // a breakdown that cannot be written is no reason to stop
  }
}
