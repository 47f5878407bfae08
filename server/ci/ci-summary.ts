/** What `smiley ci` writes to smiley-ci.json, read back from the store it recorded into. */

import type { CiRun, CiSummary, CiTest } from '../../shared/types/ci.js'
import type { Run } from '../../shared/types/run.js'
import type { Store } from '../store/store.js'

/** Whether a run counts as failing: `--report` writes a report of each. */
export function isFailingRun(run: CiRun): boolean {
  return run.status !== 'completed'
}

/** The runs `uuids` (those of the processes the command started) and their tests. */
export async function readRecorded(
  store: Store,
  uuids: readonly string[],
): Promise<{ runs: CiRun[]; tests: CiTest[] }> {
  const stored = (await Promise.all(uuids.map((uuid) => store.findRun(uuid)))).sort(
    (a, b) => a.run.startedAt - b.run.startedAt,
  )
  const runs = stored.map(({ run }) => ciRun(run))
  const tests: CiTest[] = []
  for (const { key, run } of stored) {
    if (!run.options['perTest']) continue
    for (const test of await store.sessionTests(key))
      tests.push({
        session: run.id,
        name: test.name,
        outcome: test.outcome,
        duration: test.duration,
        run: test.kept ? test.run : null,
      })
  }
  return { runs, tests }
}

function ciRun(run: Run): CiRun {
  return {
    id: run.id,
    process: run.process ?? { parent: null, startedBy: 'command' },
    description: run.description,
    pid: run.pid,
    status: run.status,
    exitCode: run.exitCode,
    error: errorOf(run),
    events: run.eventCount,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
  }
}

function errorOf(run: Run): string | null {
  if (run.errorType)
    return run.errorMessage ? `${run.errorType}: ${run.errorMessage}` : run.errorType
  return run.errorMessage
}

export type { CiSummary }
