/** `smiley ci --report DIR`: the static report (server/report) of each failing run. */

import { join } from 'node:path'
import { shortId } from '../../shared/format.js'
import type { CiRun } from '../../shared/types/ci.js'
import { readProfile } from '../db/profile.js'
import type { Store } from '../store/store.js'
import { callGraph, toDot } from '../profile/callgraph.js'
import { renderSvg } from '../profile/svg.js'
import { writeReport } from '../report/write-report.js'

/** Writes one report folder per run into `folder`; returns run id → the report's index.html. */
export async function writeFailingReports(
  store: Store,
  runs: readonly CiRun[],
  folder: string,
): Promise<Record<string, string>> {
  const written: Record<string, string> = {}
  for (const run of runs) {
    const stored = await store.findRun(run.id)
    // The run's rows where the report reads them: the store's own file, or its read cache.
    const db = await store.reader(stored)
    const profile = readProfile(db, stored.key)
    const dot = profile === null ? null : toDot(callGraph(profile))
    const target = join(folder, shortId(run.id))
    writeReport(db, stored, {
      folder: target,
      title: `Smiley: ${run.description}`,
      callGraph: dot === null ? null : { dot, svg: await renderSvg(dot) },
    })
    written[run.id] = join(target, 'index.html')
  }
  return written
}
