/**
 * Which processes still carry a recording's announcement in their environment: children that
 * may yet connect (one starting up while its parent exits), or that may start Python processes
 * of their own (a shell between them). Read from /proc on Linux; elsewhere nothing is known,
 * and the recorder waits for connections alone.
 */

import { readdirSync, readFileSync } from 'node:fs'

/** The pids of this user's processes whose environment holds `marker`. */
export function announcedProcesses(marker: string): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const wanted = Buffer.from(marker)
  const found: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // A zombie's environment reads as empty: only the living count.
      if (readFileSync(`/proc/${entry}/environ`).includes(wanted)) found.push(Number(entry))
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return found
}
