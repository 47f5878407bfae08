/**
 * Searching the trace: the next or previous match from the cursor, and the list of all
 * matches (the trace filtered). The server looks at a bounded stretch per request, so a
 * search over millions of events is a series of requests; each says how far it got, which
 * is shown as progress, and a newer search stops an older one.
 */

import { QueryError, parseTraceQuery } from '../../../shared/trace-query.js'
import type { TraceEvent } from '../../../shared/types/event.js'
import { PagedList } from './paged.svelte.js'
import type { Explorer } from './source.js'

export class TraceSearch {
  text = $state('')
  /** What the last step found or why it stopped. */
  status = $state<string | null>(null)
  busy = $state(false)
  /** All matches from the start, when listing. */
  list = $state.raw<PagedList<TraceEvent> | null>(null)
  /** Why the list is empty: its query cannot be searched for. */
  listProblem = $state<string | null>(null)
  private generation = 0

  constructor(
    private readonly explorer: Explorer,
    private readonly runId: string,
    private readonly total: () => number,
  ) {}

  /** What is wrong with the query as typed, in words; null when it can be searched for. */
  get problem(): string | null {
    try {
      parseTraceQuery(this.text.trim())
      return null
    } catch (error) {
      if (error instanceof QueryError) return error.message
      throw error
    }
  }

  /** The first match after (forward) or before (backward) event `seq`; null when none. */
  async step(seq: number, direction: 'forward' | 'backward'): Promise<number | null> {
    const text = this.text.trim()
    if (text === '' || this.problem !== null) return null
    const generation = ++this.generation
    this.busy = true
    this.status = null
    let from: number | null = direction === 'forward' ? seq + 1 : seq - 1
    try {
      while (from !== null) {
        const page = await this.explorer.search(this.runId, text, from, direction, 1)
        if (generation !== this.generation) return null
        const found = page.matches[0]
        if (found !== undefined) {
          this.status = null
          return found.seq
        }
        from = page.next
        if (from !== null) this.status = `searching… ${this.progress(seq, from, direction)}`
      }
      this.status = direction === 'forward' ? 'No later match.' : 'No earlier match.'
      return null
    } catch (error) {
      if (generation === this.generation) this.status = (error as Error).message
      return null
    } finally {
      if (generation === this.generation) this.busy = false
    }
  }

  /**
   * Lists the matches from the start of the run (the filtered trace); a query that cannot be
   * searched for lists nothing until it is mended.
   */
  showList(): void {
    const text = this.text.trim()
    this.list = new PagedList<TraceEvent>(async (from) => {
      const page = await this.explorer.search(this.runId, text, from, 'forward', 100)
      return { items: page.matches, next: page.next }
    }, 1)
    this.listProblem = this.problem
    if (this.listProblem === null) void this.list.more()
  }

  hideList(): void {
    this.list = null
  }

  /** Stops a step that is still looking. */
  cancel(): void {
    this.generation += 1
    this.busy = false
  }

  /** How much of the way from `start` to the end of the run (or its start) is searched. */
  private progress(start: number, at: number, direction: 'forward' | 'backward'): string {
    const done =
      direction === 'forward'
        ? (at - start) / Math.max(1, this.total() - start)
        : (start - at) / Math.max(1, start - 1)
    return `${Math.min(99, Math.round(done * 100))}%`
  }
}
