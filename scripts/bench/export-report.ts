/**
 * `smiley report` on a large run: time and peak memory of exporting a synthetic run of N
 * events (default one million), written through the real ingest first.
 *
 *   npx tsx scripts/bench/export-report.ts [--events N] [--database PATH]
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../server/db/database.js'
import { findRun } from '../../server/db/runs.js'
import { writeReport } from '../../server/report/write-report.js'
import { writeSyntheticRun } from './synthetic.js'

const { values } = parseArgs({
  options: { events: { type: 'string', default: '1000000' }, database: { type: 'string' } },
})
const events = Number(values.events)
const folder = mkdtempSync(join(tmpdir(), 'smiley-report-bench-'))
const db = openDatabase(values.database ?? join(folder, 'big.db'), { create: true })
let uuid = (
  db
    .prepare('SELECT uuid FROM runs WHERE event_count >= ? ORDER BY id DESC LIMIT 1')
    .get(events) as { uuid: string } | undefined
)?.uuid
if (uuid === undefined) {
  process.stderr.write(`writing ${events.toLocaleString('en-US')} events…\n`)
  uuid = writeSyntheticRun(db, events)
}
const stored = findRun(db, uuid)
const before = process.resourceUsage().maxRSS
const started = performance.now()
const summary = writeReport(db, stored, {
  folder: join(folder, 'report'),
  title: 'bench',
  callGraph: null,
})
const seconds = (performance.now() - started) / 1000
const peak = process.resourceUsage().maxRSS
db.close()
process.stdout.write(
  `report of ${summary.events.toLocaleString('en-US')} events: ${seconds.toFixed(1)} s, ` +
    `${(summary.bytes / 1e6).toFixed(0)} MB written (${(summary.bytes / summary.events).toFixed(0)} bytes/event), ` +
    `peak memory ${(peak / 1024).toFixed(0)} MB (${((peak - before) / 1024).toFixed(0)} MB above the start)\n`,
)
rmSync(folder, { recursive: true, force: true })
