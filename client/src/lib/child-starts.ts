/**
 * The processes a run started, kept fresh while the trace view is open: loaded again when a
 * child's run appears or changes, and, while events arrive, at most once a second (a program
 * that starts a process other than Python gets no run to announce its start).
 */

import type { ChildStart } from '../../../shared/types/child-start.js'
import type { DataSource } from './source.js'

const EVERY_MS = 1000

export class ChildStartsLoader {
  private loading = false
  private again = false
  private later: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly source: DataSource,
    private readonly runId: string,
    private readonly onLoaded: (starts: ChildStart[]) => void,
  ) {}

  /** Loads now (once the load under way has answered). */
  load(): void {
    if (this.source.childStarts === undefined) return
    if (this.loading) {
      this.again = true
      return
    }
    this.loading = true
    this.source
      .childStarts(this.runId)
      .then((starts) => this.onLoaded([...starts].sort((a, b) => a.seq - b.seq)))
      .catch(() => undefined) // the trace says what the server cannot; the marks wait for the next load
      .finally(() => {
        this.loading = false
        if (this.again) {
          this.again = false
          this.load()
        }
      })
  }

  /** No more loads (the view is gone). */
  stop(): void {
    if (this.later !== null) clearTimeout(this.later)
    this.later = null
  }

  /** Loads within a second, once for every call meanwhile. */
  soon(): void {
    if (this.later !== null) return
    this.later = setTimeout(() => {
      this.later = null
      this.load()
    }, EVERY_MS)
  }
}
