/**
 * `smiley record`'s sinks: each run received goes through `RunRecorder`, the same ingest as a
 * local `smiley run`, into the database, with a line printed as it starts and as it ends. A
 * child process's run (its tracer's hello says who started it) is linked to its parent's, as
 * a local recording links it.
 */

import { storedChildRun } from '../children/child-run.js'
import type { Output } from '../console/output.js'
import type { NewRun } from '../db/runs.js'
import type { ProcessExit } from '../record/outcome.js'
import { newRun, type RunInfo } from '../record/run-info.js'
import { RunRecorder } from '../record/run-recorder.js'
import type { Store } from '../store/store.js'
import type { RunStart, RunSummary } from './protocol.js'
import { HttpError } from './http-error.js'
import type { RunSink, RunSinks } from './receiver.js'
import { endedLine, endingMessage, startedLine } from './run-lines.js'

export class RecordSinks implements RunSinks {
  constructor(
    private readonly store: Store,
    private readonly out: Output,
  ) {}

  open(uuid: string, start: RunStart): RunSink | Promise<RunSink> {
    const info: RunInfo = {
      uuid,
      description: start.description,
      argv: start.argv,
      options: start.options,
    }
    const found = this.store.runDescription(uuid)
    if (!(found instanceof Promise)) return this.sink(found, info)
    return found.then((description) => this.sink(description, info))
  }

  /** A sink for the run, unless the store has it already (another recorder took it). */
  private sink(found: string | null, info: RunInfo): RunSink {
    if (found !== null) throw new HttpError(409, 'a run with this id is already recorded here')
    return new RecordedRun(this.store, this.out, info)
  }
}

class RecordedRun implements RunSink {
  private readonly recorder: RunRecorder
  private run: NewRun | null = null
  private announced = false

  constructor(
    store: Store,
    private readonly out: Output,
    info: RunInfo,
  ) {
    this.recorder = new RunRecorder(store, (hello) => {
      if (typeof hello['startedBy'] !== 'string') return (this.run = newRun(info, hello))
      const child = storedChildRun(store, hello, info.options)
      if (!(child instanceof Promise)) return (this.run = child)
      return child.then((run) => (this.run = run))
    })
  }

  push(bytes: Uint8Array): void | Promise<void> {
    const taken = this.recorder.push(bytes)
    this.announce()
    return taken ? undefined : this.recorder.drained()
  }

  private announce(): void {
    if (this.run !== null && !this.announced) {
      this.announced = true
      void this.out.line(startedLine(this.out, this.run.uuid, this.run.description, this.run.host))
    }
  }

  async finish(exit: ProcessExit | null): Promise<RunSummary> {
    const ending = await this.recorder.finish(exit)
    this.announce() // a run whose row was created after its last bytes came
    if (ending === null || this.run === null)
      return { status: 'unrecorded', events: 0, lostEvents: 0 }
    const summary = {
      status: ending.status,
      events: this.recorder.eventCount,
      lostEvents: this.recorder.lostEvents,
    }
    const problem = this.recorder.problem
    const message =
      this.recorder.storageFailure ??
      (problem === null ? endingMessage(ending) : `malformed stream: ${problem}`)
    void this.out.line(endedLine(this.out, this.run.uuid, { ...summary, message }))
    return summary
  }
}
