/**
 * Which processes still carry a recording's announcement in their environment: children that
 * may yet connect (one starting up while its parent exits), or that may start Python processes
 * of their own (a shell between them). Read from /proc on Linux; elsewhere nothing is known,
 * and the recorder waits for connections alone.
 *
 * Only processes started since the recording began can carry it, and Linux numbers processes
 * in the order they start: those numbered below the first the recording could have started are
 * not read (a machine runs hundreds of processes; reading each one's environment cost 20–90 ms
 * at the end of every smiley run, measured here). When the numbers have wrapped around since,
 * every process is read.
 */

import { readdirSync, readFileSync } from 'node:fs'

/**
 * The number the next process started will have at least, as far as the kernel says; null
 * where it does not (not Linux, or another kernel's /proc).
 */
export function nextPid(): number | null {
  try {
    const last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'))
    return Number.isSafeInteger(last) && last >= 0 ? last + 1 : null
  } catch {
    return null
  }
}

/**
 * The pids of this user's processes whose environment holds `marker`; `since` (from `nextPid`
 * before the first process that could carry it started) spares reading older processes.
 */
export function announcedProcesses(marker: string, since: number | null = null): number[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  // Read after the list: every process listed started before it, so not after `last`.
  const next = since === null ? null : nextPid()
  const started =
    since !== null && next !== null && next >= since
      ? (pid: number) => pid >= since && pid < next
      : () => true
  const wanted = Buffer.from(marker)
  const found: number[] = []
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || !started(Number(entry))) continue
    try {
      // A zombie's environment reads as empty: only the living count.
      if (readFileSync(`/proc/${entry}/environ`).includes(wanted)) found.push(Number(entry))
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return found
}
