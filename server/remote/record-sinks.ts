/**
 * `smiley record`'s sinks: each run received goes through `RunRecorder`, the same ingest as a
 * local `smiley run`, into the database, with a line printed as it starts and as it ends. A
 * child process's run (its tracer's hello says who started it) is linked to its parent's, as
 * a local recording links it.
 */

import { childRun, runDescription } from '../children/child-run.js'
import type { Output } from '../console/output.js'
import type { Db } from '../db/database.js'
import type { NewRun } from '../db/runs.js'
import type { ProcessExit } from '../record/outcome.js'
import { newRun, type RunInfo } from '../record/run-info.js'
import { RunRecorder } from '../record/run-recorder.js'
import { SqliteStore } from '../store/sqlite/sqlite-store.js'
import type { RunStart, RunSummary } from './protocol.js'
import { HttpError } from './http-error.js'
import type { RunSink, RunSinks } from './receiver.js'
import { endedLine, endingMessage, startedLine } from './run-lines.js'

export class RecordSinks implements RunSinks {
  constructor(
    private readonly db: Db,
    private readonly out: Output,
  ) {}

  open(uuid: string, start: RunStart): RunSink {
    if (this.db.prepare('SELECT 1 FROM runs WHERE uuid = ?').get(uuid) !== undefined)
      throw new HttpError(409, 'a run with this id is already recorded here')
    const info: RunInfo = {
      uuid,
      description: start.description,
      argv: start.argv,
      options: start.options,
    }
    return new RecordedRun(this.db, this.out, info)
  }
}

class RecordedRun implements RunSink {
  private readonly recorder: RunRecorder
  private run: NewRun | null = null
  private announced = false

  constructor(
    db: Db,
    private readonly out: Output,
    info: RunInfo,
  ) {
    this.recorder = new RunRecorder(
      new SqliteStore(db),
      (hello) =>
        (this.run =
          typeof hello['startedBy'] === 'string'
            ? childRun(hello, info.options, runDescription(db, hello['parent']))
            : newRun(info, hello)),
    )
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
