/**
 * A command's wall-clock time and the CPU time of every process under it, measured by a small
 * Python harness (`resource.getrusage(RUSAGE_CHILDREN)` sees grandchildren that Node's own
 * figures would miss): CPU time is what a shared machine's load changes least.
 */

import { spawn } from 'node:child_process'

export interface Timing {
  /** Seconds of CPU time of the command and every process under it. */
  cpu: number
  /** Seconds of wall-clock time. */
  wall: number
}

/** Runs a command, then prints its exit status and the CPU time of every process under it. */
const MEASURE = `import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - started
used = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("measured %d %f %f\\n" % (code, used.ru_utime + used.ru_stime, wall))`

/** Runs `command` through `python`'s harness; fails unless it exits with `exitCode`. */
export function timed(
  python: string,
  command: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; exitCode?: number } = {},
): Promise<Timing> {
  const child = spawn(python, ['-c', MEASURE, ...command], {
    cwd: options.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...(options.env ?? process.env), NO_COLOR: '1' },
  })
  const expected = String(options.exitCode ?? 0)
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((done, fail) => {
    child.once('error', fail)
    child.once('exit', () => {
      const found = /measured (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr)
      if (found === null || found[1] !== expected) {
        const why = found === null ? stderr.trim() : `exited with ${found[1]}, not ${expected}`
        fail(new Error(`${command.join(' ')}: ${why}`))
      } else done({ cpu: Number(found[2]), wall: Number(found[3]) })
    })
  })
}

/** Each figure the least of the two. */
export const least = (a: Timing, b: Timing): Timing => ({
  cpu: Math.min(a.cpu, b.cpu),
  wall: Math.min(a.wall, b.wall),
})

export const NOT_YET: Timing = { cpu: Infinity, wall: Infinity }
