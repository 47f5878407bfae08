/**
 * A run's events printed as `replay` and `tail` print them: each event's lines (or one JSON
 * object per event), and after an event a line for each process the program started there
 * (in JSON, the event's `children`). `tail` tells the printer the run's starts again at every
 * poll: a start recorded after its event was printed (a child connects a moment after it was
 * started) is printed then, in text.
 */

import type { ChildStart } from '../../shared/types/child-start.js'
import type { TraceEvent } from '../../shared/types/event.js'
import { formatChildStart, startsByEvent } from './child-start-format.js'
import type { Output } from './output.js'
import { ReplayFormatter } from './replay-format.js'

export class EventPrinter {
  private readonly formatter: ReplayFormatter
  private starts = new Map<number, ChildStart[]>()
  /** Starts printed, or passed over with the event they followed. */
  private readonly done = new Set<string>()
  /** The last event printed or passed over: starts up to it are due. */
  private last: number
  /** Starts before this event are before what is printed. */
  private readonly floor: number

  constructor(
    private readonly out: Output,
    cwd: string,
    private readonly json: boolean,
    /** The first event to print: starts before it are not printed (but those before event 1). */
    from: number,
  ) {
    this.formatter = new ReplayFormatter(out, cwd)
    this.last = from - 1
    this.floor = from <= 1 ? 0 : from
  }

  /**
   * The run's starts as recorded now. Those after events already printed are printed at once
   * (in text: a JSON line has gone out without them); so are those before the first event.
   */
  async know(starts: ChildStart[]): Promise<void> {
    this.starts = startsByEvent(starts)
    for (const start of starts)
      if (start.seq >= this.floor && start.seq <= this.last && !this.done.has(keyOf(start)))
        await this.print(start)
  }

  /** Prints `event` and the starts after it; with `shown` false, passes over both. */
  async event(event: TraceEvent, shown = true): Promise<void> {
    this.last = event.seq
    const started = (this.starts.get(event.seq) ?? []).filter((s) => !this.done.has(keyOf(s)))
    if (!shown) {
      for (const start of started) this.done.add(keyOf(start))
      return
    }
    if (this.json) {
      for (const start of started) this.done.add(keyOf(start))
      await this.out.line(
        JSON.stringify(started.length > 0 ? { ...event, children: started } : event),
      )
      return
    }
    for (const line of this.formatter.format(event)) await this.out.line(line)
    for (const start of started) await this.print(start)
  }

  private async print(start: ChildStart): Promise<void> {
    this.done.add(keyOf(start))
    if (!this.json) await this.out.line(formatChildStart(start, this.out))
  }
}

function keyOf(start: ChildStart): string {
  return `${start.seq}:${start.pid}:${start.at}`
}
