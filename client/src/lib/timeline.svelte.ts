/**
 * The Timeline tab's state: the window of time looked at, and the bars the server gave for
 * it. Zooming and panning move the window at once (the bars held are drawn at the new scale)
 * and ask for the new window; one request is in flight at a time, and only the newest window
 * asked for is fetched after it, so a fast wheel does not queue a request per notch.
 */

import type { TimelineWindow } from '../../../shared/types/timeline.js'
import type { DataSource } from './source.js'

/** The narrowest window: a microsecond, a run's resolution. */
const NARROWEST = 1

export class TimelineState {
  /** The bars last answered: a screen of them at most. */
  window = $state.raw<TimelineWindow | null>(null)
  /** The window shown, in microseconds since the run started. */
  from = $state(0)
  to = $state(0)
  problem = $state<string | null>(null)
  loading = $state(false)

  private width = 0
  private seq: number | undefined
  /** The window is the whole run, and follows it as a recorded run grows. */
  private whole = true
  private inFlight = false
  private wanted = false

  constructor(
    private readonly source: DataSource,
    private readonly run: string,
  ) {}

  /** The whole run, once known. */
  get span(): { start: number; end: number } | null {
    return this.window?.span ?? null
  }

  /** Asks again at `width` pixels, the explorer's event `seq` placed. */
  show(width: number, seq: number | undefined): void {
    this.width = Math.max(1, Math.floor(width))
    this.seq = seq
    this.fetch()
  }

  /** Asks again for the window shown: the run has grown. */
  refresh(): void {
    this.fetch()
  }

  /** Zooms by `factor` (below 1: in) keeping the time under `anchor` (0–1 across) in place. */
  zoom(factor: number, anchor = 0.5): void {
    const span = this.span
    if (span === null) return
    const length = this.to - this.from
    const next = Math.min(span.end - span.start, Math.max(NARROWEST, length * factor))
    const pivot = this.from + anchor * length
    this.place(pivot - anchor * next, next)
  }

  /** Moves the window by `share` of its length (negative: earlier). */
  pan(share: number): void {
    this.place(this.from + share * (this.to - this.from), this.to - this.from)
  }

  /** Shows [from, to]. */
  zoomTo(from: number, to: number): void {
    this.place(from, Math.max(NARROWEST, to - from))
  }

  /** The whole run. */
  reset(): void {
    this.whole = true
    this.fetch()
  }

  private place(from: number, length: number): void {
    const span = this.span
    if (span === null) return
    const start = Math.max(span.start, Math.min(from, span.end - length))
    this.whole = false
    this.from = start
    this.to = Math.min(span.end, start + length)
    this.fetch()
  }

  private fetch(): void {
    if (this.source.timeline === undefined || this.width === 0) return
    if (this.inFlight) {
      this.wanted = true
      return
    }
    this.inFlight = true
    this.loading = true
    const whole = this.whole
    const request = {
      width: this.width,
      ...(whole ? {} : { from: this.from, to: this.to }),
      ...(this.seq === undefined ? {} : { seq: this.seq }),
    }
    this.source.timeline(this.run, request).then(
      (answer) => {
        this.window = answer
        if (whole && this.whole) {
          this.from = answer.from
          this.to = answer.to
        }
        this.problem = null
        this.settle()
      },
      (error: Error) => {
        this.problem = error.message
        this.settle()
      },
    )
  }

  private settle(): void {
    this.inFlight = false
    this.loading = false
    if (this.wanted) {
      this.wanted = false
      this.fetch()
    }
  }
}
