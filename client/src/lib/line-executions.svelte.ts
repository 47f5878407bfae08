/**
 * A window on every execution of one line: a few hundred of them around the event the cursor
 * is on, read a page at a time in either direction as the list is scrolled towards an edge.
 * A line that ran millions of times costs no more than one that ran a hundred times.
 */

import type { LineExecution } from '../../../shared/types/moment.js'
import type { Explorer } from './source.js'

/** Never keep more executions than this; the far end is dropped. */
export const MAX_EXECUTIONS = 600

export class LineExecutions {
  /** The loaded executions, in program order. */
  rows = $state.raw<LineExecution[]>([])
  /** How many times the line ran in all; null until the first page. */
  hits = $state<number | null>(null)
  /** Where to read on before the first row, and after the last; null at the start or end. */
  before = $state<number | null>(null)
  after = $state<number | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)

  constructor(
    private readonly explorer: Explorer,
    private readonly runId: string,
    private readonly file: number,
    private readonly line: number,
  ) {}

  /** Reads the executions on either side of event `seq`. */
  async open(seq: number): Promise<void> {
    this.loading = true
    try {
      const [earlier, later] = await Promise.all([
        seq > 1 ? this.read(seq - 1, 'backward') : null,
        this.read(seq, 'forward'),
      ])
      this.rows = [...(earlier?.executions ?? []), ...later.executions]
      this.hits = later.hits
      this.before = earlier?.next ?? null
      this.after = later.next
      this.error = null
    } catch (error) {
      this.error = (error as Error).message
    } finally {
      this.loading = false
    }
  }

  /** The row to show first for event `seq`: the first execution from it on, else the last. */
  indexOf(seq: number): number {
    const index = this.rows.findIndex((execution) => execution.seq >= seq)
    return index < 0 ? this.rows.length - 1 : index
  }

  /**
   * Reads the next page past the last row (forward) or before the first (backward), dropping
   * the far end past MAX_EXECUTIONS. Resolves to how many rows moved at the start: added
   * (positive) or dropped (negative), for the list to keep what is on screen in place.
   */
  async extend(direction: 'forward' | 'backward'): Promise<number> {
    const forward = direction === 'forward'
    const from = forward ? this.after : this.before
    if (this.loading || from === null) return 0
    this.loading = true
    try {
      const page = await this.read(from, direction)
      let rows = forward ? [...this.rows, ...page.executions] : [...page.executions, ...this.rows]
      const excess = Math.max(0, rows.length - MAX_EXECUTIONS)
      let shift = forward ? 0 : page.executions.length
      if (forward) {
        this.after = page.next
        if (excess > 0) {
          rows = rows.slice(excess)
          this.before = rows[0]!.seq - 1
          shift = -excess
        }
      } else {
        this.before = page.next
        if (excess > 0) {
          rows = rows.slice(0, rows.length - excess)
          this.after = rows.at(-1)!.seq + 1
        }
      }
      this.rows = rows
      this.error = null
      return shift
    } catch (error) {
      this.error = (error as Error).message
      return 0
    } finally {
      this.loading = false
    }
  }

  private read(from: number, direction: 'forward' | 'backward') {
    return this.explorer.lineExecutions(this.runId, this.file, this.line, from, direction)
  }
}
