/**
 * Signals ignored by whoever started smiley (`nohup`, a script's `&` job, a supervisor), which
 * the traced program must find ignored, as it would without Smiley. Node resets every ignored
 * signal to its default before any JavaScript runs, and so does its spawn() for a child; so
 * bin/smiley.js, started as a shell script, hands the set on in SMILEY_IGNORED_SIGNALS (the
 * SigIgn mask of /proc/PID/status, on Linux) before it becomes Node, and the program is started
 * through `sh`, which ignores them again before it becomes Python. The signals that are not
 * ignored are passed on to the program (`forwardSignals`).
 */

import type { ChildProcess } from 'node:child_process'
import { constants } from 'node:os'

export const IGNORED_SIGNALS_ENV = 'SMILEY_IGNORED_SIGNALS'

/**
 * Signals that would end smiley itself, which it ignores when its caller did: the ones someone
 * sends to ask a process to stop, or that a timer sends. (Not faults, nor SIGCHLD, which Node
 * needs for its children.)
 */
const ENDING_SMILEY = new Set(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR2', 'SIGALRM'])

/** The signals ignored when smiley started, by name; none when not known (not Linux, or no shell). */
export function ignoredAtStart(env: NodeJS.ProcessEnv = process.env): NodeJS.Signals[] {
  const mask = env[IGNORED_SIGNALS_ENV]
  if (mask === undefined || !/^[0-9a-f]{1,16}$/i.test(mask)) return []
  const bits = BigInt(`0x${mask}`)
  const seen = new Set<number>()
  const names: NodeJS.Signals[] = []
  for (const [name, number] of Object.entries(constants.signals) as Array<
    [NodeJS.Signals, number]
  >) {
    if (number === constants.signals.SIGKILL || number === constants.signals.SIGSTOP) continue
    if (seen.has(number) || ((bits >> BigInt(number - 1)) & 1n) === 0n) continue
    seen.add(number)
    names.push(name)
  }
  return names
}

/** Keeps smiley itself from being ended by the signals of `ignored` that would end it. */
export function keepIgnoring(ignored: readonly NodeJS.Signals[]): void {
  for (const signal of ignored) if (ENDING_SMILEY.has(signal)) process.on(signal, () => undefined)
}

/** `sh -c` text that ignores `ignored` and then becomes the command in its arguments. */
export function ignoringShell(ignored: readonly NodeJS.Signals[]): string {
  return `trap '' ${ignored.map((name) => name.replace(/^SIG/, '')).join(' ')}; exec "$0" "$@"`
}

/**
 * SIGTERM and SIGHUP sent to smiley go on to the program. SIGINT does too unless stdin is a
 * terminal: Ctrl-C there already reaches the whole process group, program included. A signal
 * ignored when smiley started is not passed on: the program ignores it too.
 */
export function forwardSignals(child: ChildProcess): () => void {
  const ignored = ignoredAtStart()
  const forwarded = (['SIGTERM', 'SIGHUP', 'SIGINT'] as const).filter((s) => !ignored.includes(s))
  const handlers: Array<[NodeJS.Signals, () => void]> = forwarded.map((signal) => [
    signal,
    () => {
      if (signal === 'SIGINT' && process.stdin.isTTY) return
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
  ])
  for (const [signal, handler] of handlers) process.on(signal, handler)
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}
