/**
 * Copying runs between any two stores (export, import): each run read from one snapshot of
 * the source and written in one transaction of the target, a page of rows at a time, keeping
 * its uuid under a key of the target's. A run the target has already is left alone.
 */

import type { Store } from '../store.js'
import { copyRun } from './copy-run.js'

/** What happened to one run: copied, or left alone because the target already had it. */
export interface TransferredRun {
  uuid: string
  copied: boolean
  /** Events the run has in the target. */
  events: number
}

/** Copies the runs `uuids` of `from` into `to`, one transaction each; RunNotFound for one `from` lacks. */
export async function transferRuns(
  from: Store,
  to: Store,
  uuids: readonly string[],
): Promise<TransferredRun[]> {
  const done: TransferredRun[] = []
  for (const uuid of uuids) {
    const copied = await from.readRuns((source) =>
      to.writeRuns((sink) => copyRun(source, sink, uuid)),
    )
    const events = copied.copied ? copied.events : (await to.findRun(uuid)).run.eventCount
    done.push({ uuid, copied: copied.copied, events })
  }
  return done
}
