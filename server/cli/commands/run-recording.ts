/**
 * `smiley run`'s recording into a store, once its interpreter has started, held at its gate
 * (run.ts starts it before this module and the database's load): the store opens, children
 * are listened for, the gate opens and the stream is recorded.
 */

import type { ChildDoor } from '../../children/child-door.js'
import { ChildRecorder, recordedChild, type ChildStream } from '../../children/child-recorder.js'
import { shortId } from '../../console/format.js'
import { Output } from '../../console/output.js'
import { DatabaseError } from '../../db/database.js'
import { newRun, type RunInfo } from '../../record/run-info.js'
import { RunRecorder } from '../../record/run-recorder.js'
import { openStore } from '../../store/open.js'
import type { Store } from '../../store/store.js'
import { mark } from '../../startup-marks.js'
import type { Exit } from '../command.js'
import { endedBeforeTracing, exitOf, type Tracing } from './run-tracing.js'
import { waitForChildren } from '../../children/wait-for-children.js'

/** The recording's side of a program started held: where its children connect, if anywhere. */
export interface Held {
  tracing: Tracing
  /** Where the program's children were told to connect; null with --no-children. */
  door: ChildDoor | null
  /** Set here once children are listened for: what to close when the program cannot start. */
  children: ChildRecorder | null
}

/**
 * Records the held program into the store at `location`. The program starts once the run can
 * be recorded, runs unrecorded when the database cannot be written (said in one line), and
 * never runs when the store fails to open.
 */
export async function recordHeld(
  location: string,
  python: string,
  info: RunInfo,
  held: Held,
): Promise<Exit> {
  const { tracing, door } = held
  // Child processes connect once the program has started, after the store has opened: until
  // then there is nothing they could ask for.
  let childStore: Store | null = null
  let store: Store | null = null
  try {
    held.children =
      door === null
        ? null
        : await ChildRecorder.listenAt(door, () =>
            childStore === null ? unrecordedChild : recordedChild(childStore, info.options),
          )
    store = await openForRecording(location)
    await store?.markLostRuns()
  } catch (error) {
    await store?.close()
    tracing.gate?.shut()
    await tracing.follow(() => undefined).catch(() => undefined)
    if (held.children === null) door?.remove()
    else held.children.close()
    throw error
  }
  const children = held.children
  if (store === null) {
    tracing.gate?.open()
    const exit = await tracing.follow(() => undefined)
    if (children !== null) await waitForChildren(children)
    return exitOf(exit)
  }
  try {
    childStore = store
    return await recordInto(store, tracing, info, python, children)
  } finally {
    await store.close()
    mark('store closed')
  }
}

async function recordInto(
  store: Store,
  tracing: Tracing,
  info: RunInfo,
  python: string,
  children: ChildRecorder | null,
): Promise<Exit> {
  const recorder = new RunRecorder(store, (hello) => newRun(info, hello, process.cwd()))
  mark('store open')
  tracing.gate?.open()
  const exit = await tracing.follow((chunk) =>
    recorder.push(chunk) ? undefined : recorder.drained(),
  )
  const ending = await recorder.finish(exit)
  mark('run written')
  if (children !== null) await waitForChildren(children)
  mark('children done')
  const storageFailure = recorder.storageFailure
  if (storageFailure !== null) {
    // The program ran on without recording: one line says why, and its exit status stands.
    process.stderr.write(`smiley: ${storageFailure}\n`)
    return exitOf(exit)
  }
  if (ending === null) return endedBeforeTracing(python, exit)
  sayFailedTests(recorder)
  if (process.stderr.isTTY) {
    const err = new Output(process.stderr)
    const note = recorder.problem ? ` (recording problem: ${recorder.problem})` : ''
    void err.line(
      err.style(
        'dim',
        `smiley: recorded run ${shortId(info.uuid)}, ${recorder.eventCount} events, ${ending.status}${note}`,
      ),
    )
  }
  return exitOf(exit)
}

/**
 * One line per test that failed, naming its run, and how to open one: pytest's output is
 * above, untouched.
 */
function sayFailedTests(recorder: RunRecorder): void {
  const failed = recorder.failedTests
  for (const test of failed)
    process.stderr.write(`smiley: ${test.name} ${test.outcome}: run ${shortId(test.run)}
`)
  const first = failed[0]
  if (first !== undefined)
    process.stderr.write(
      `smiley: open one with: smiley replay ${shortId(first.run)}, or in the dashboard: smiley server\n`,
    )
}

/**
 * The database to record into; null when it cannot be written where it is (a read-only file
 * system, another user's file), which is said in one line: the program then runs unrecorded,
 * as it does when the database is locked.
 */
async function openForRecording(location: string): Promise<Store | null> {
  try {
    return await openStore(location, { create: true, lasting: true })
  } catch (error) {
    if (!(error instanceof DatabaseError) || !error.unwritable) throw error
    process.stderr.write(
      `smiley: could not record the run: ${error.message}; the program runs unrecorded\n`,
    )
    return null
  }
}

/** A child of a program recorded nowhere (the database cannot be written): its stream dropped. */
const unrecordedChild: ChildStream = { push: () => undefined, finish: () => null }
