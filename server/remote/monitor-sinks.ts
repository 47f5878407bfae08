/**
 * `smiley monitor`'s sinks: each run's events are printed as they arrive, in the format of
 * `smiley replay`, with names resolved from the stream itself (no database). A slow terminal
 * slows the sender, never the other way round: a batch is answered once it is printed.
 */

import { FrameReader } from '../../shared/wire/frames.js'
import { readRecords } from '../../shared/wire/record-reader.js'
import { TAG } from '../../shared/wire/records.js'
import { shortId } from '../console/format.js'
import type { Output } from '../console/output.js'
import { ReplayFormatter } from '../console/replay-format.js'
import { decideEnding, type ProcessExit } from '../record/outcome.js'
import type { RunStart, RunSummary } from './protocol.js'
import type { RunSink, RunSinks } from './receiver.js'
import { endedLine, endingMessage, startedLine } from './run-lines.js'
import { StreamEvents } from './stream-events.js'

export class MonitorSinks implements RunSinks {
  private live = 0
  private lastPrinted: string | null = null

  constructor(private readonly out: Output) {}

  open(uuid: string, start: RunStart): RunSink {
    this.live += 1
    return new MonitoredRun(uuid, start, this)
  }

  /** Prints a run's lines; with several runs live, a marker says whose lines follow. */
  async print(uuid: string, lines: string[]): Promise<void> {
    if (lines.length === 0) return
    if (this.lastPrinted !== uuid && this.live > 1)
      await this.out.line(this.out.style('dim', `── run ${shortId(uuid)} ──`))
    this.lastPrinted = uuid
    for (const line of lines) await this.out.line(line)
  }

  closed(): void {
    this.live -= 1
  }

  get output(): Output {
    return this.out
  }
}

class MonitoredRun implements RunSink {
  private readonly frames = new FrameReader()
  private readonly events = new StreamEvents()
  private formatter: ReplayFormatter | null = null
  private failure: string | null = null

  constructor(
    private readonly uuid: string,
    private readonly start: RunStart,
    private readonly sinks: MonitorSinks,
  ) {}

  async push(bytes: Uint8Array): Promise<void> {
    if (this.failure !== null) return
    const out = this.sinks.output
    try {
      for (const payload of this.frames.push(bytes)) {
        const lines: string[] = []
        for (const record of readRecords(payload)) {
          const event = this.events.accept(record)
          if (event !== null) lines.push(...this.formatterFor(out).format(event))
          else if (record.tag === TAG.hello) {
            const host = typeof record.info['host'] === 'string' ? record.info['host'] : null
            lines.push(startedLine(out, this.uuid, this.start.description, host))
          } else if (record.tag === TAG.notice) {
            lines.push(out.style('dim', `notice: ${record.message}`))
          }
        }
        await this.sinks.print(this.uuid, lines)
      }
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error)
      await this.sinks.print(this.uuid, [
        out.style('red', `the event stream was malformed, not shown further: ${this.failure}`),
      ])
    }
  }

  async finish(exit: ProcessExit | null): Promise<RunSummary> {
    this.sinks.closed()
    if (this.events.hello === null) return { status: 'unrecorded', events: 0, lostEvents: 0 }
    const ending = decideEnding(this.events.end, exit, Date.now() / 1000)
    const summary = { status: ending.status, events: this.events.seq, lostEvents: this.events.lost }
    const out = this.sinks.output
    await this.sinks.print(this.uuid, [
      endedLine(out, this.uuid, { ...summary, message: endingMessage(ending) }),
    ])
    return summary
  }

  private formatterFor(out: Output): ReplayFormatter {
    if (this.formatter === null) {
      const cwd = this.events.hello?.['cwd']
      this.formatter = new ReplayFormatter(out, typeof cwd === 'string' ? cwd : '')
    }
    return this.formatter
  }
}
