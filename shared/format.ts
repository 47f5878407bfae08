/** Human-readable times, durations and run ids, for the console and the browser alike. */

import type { Run } from './types/run.js'

/** Local date and time to the second, e.g. `2026-11-25 09:16:12`. */
export function formatTime(unixSeconds: number | null): string {
  if (unixSeconds === null) return ''
  const d = new Date(unixSeconds * 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  return `${date} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** A duration such as `850 ms`, `12.3 s`, `4 min 05 s` or `2 h 03 min`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return ''
  // Round before choosing the unit, so that 0.9996 s is "1.0 s" and 59.97 s "1 min 00 s".
  const ms = Math.round(seconds * 1000)
  if (ms < 1000) return `${ms} ms`
  const tenths = Math.round(seconds * 10)
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`
  const whole = Math.max(60, Math.floor(seconds))
  const minutes = Math.floor(whole / 60)
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

/** A short duration counted in microseconds: `12 µs`, `3.45 ms`, then as formatDuration. */
export function formatMicros(micros: number | null): string {
  if (micros === null) return ''
  if (micros < 1000) return `${Math.round(micros)} µs`
  if (micros < 1_000_000) return `${(micros / 1000).toFixed(micros < 10_000 ? 2 : 1)} ms`
  return formatDuration(micros / 1e6)
}

/** How long a run took, or has been running. */
export function runDuration(run: Run, now = Date.now() / 1000): number | null {
  const end = run.endedAt ?? (run.status === 'running' ? now : null)
  return end === null ? null : Math.max(0, end - run.startedAt)
}

/** The short form of a run id shown in tables; any unique prefix is accepted back. */
export function shortId(id: string): string {
  return id.slice(0, 8)
}

/**
 * A count with thousands separators: `12,345`. Grouped here rather than by Intl, whose first
 * use loads a browser's locale data: a tenth of a second before the run page could show.
 */
export function formatCount(count: number): string {
  const digits = String(Math.round(Math.abs(count))).replace(/\B(?=(\d{3})+$)/g, ',')
  return count < 0 ? `-${digits}` : digits
}

/** A file's path relative to `cwd` when it is inside it, else as it is. */
export function relativeTo(path: string, cwd: string): string {
  if (!cwd) return path
  const folder = cwd.endsWith('/') ? cwd : `${cwd}/`
  return path.startsWith(folder) ? path.slice(folder.length) : path
}
