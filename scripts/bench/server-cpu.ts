/**
 * The CPU time a PostgreSQL server on this machine has used, found by its port: its postmaster
 * and every process it started, live ones and those that have ended (counted in the
 * postmaster's children's times once reaped). Linux only (/proc); null elsewhere.
 */

import { readdirSync, readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100

interface Stat {
  pid: number
  ppid: number
  /** utime + stime, and cutime + cstime, in seconds. */
  own: number
  children: number
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses: the fields follow the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    const tick = (at: number) => Number(fields[at]) / TICKS_PER_SECOND
    return {
      pid,
      ppid: Number(fields[1]),
      own: tick(11) + tick(12),
      children: tick(13) + tick(14),
    }
  } catch {
    return null
  }
}

function pids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
  } catch {
    return []
  }
}

/** The pid of the postmaster listening on `port`, or null. */
export function postmasterOf(port: number): number | null {
  for (const pid of pids()) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      const at = args.indexOf('-p')
      if (args[0]?.endsWith('/postgres') && at >= 0 && args[at + 1] === String(port)) return pid
    } catch {
      // gone meanwhile
    }
  }
  return null
}

/** Seconds of CPU the server of `postmaster` has used so far. */
export function serverCpuSeconds(postmaster: number): number {
  const root = stat(postmaster)
  if (root === null) return 0
  let total = root.own + root.children
  for (const pid of pids()) {
    const child = stat(pid)
    if (child !== null && child.ppid === postmaster) total += child.own
  }
  return total
}
