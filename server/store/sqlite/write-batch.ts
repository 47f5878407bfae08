/** A recorder's flush into SQLite: one transaction of prepared statements, as ever. */

import type { Db } from '../../db/database.js'
import { storeProfile } from '../../ingest/profile.js'
import {
  PENDING_ORDER,
  prepareWriterStatements,
  writeActivations,
  writeBlocks,
  writeFrames,
  writePending,
} from '../../ingest/writer-statements.js'
import { packSource } from '../../db/source-text.js'
import type { Batch } from '../batch.js'
import { RunDeleted } from '../errors.js'

/** Writes `batch` in one transaction; throws RunDeleted when the run is gone. */
export function writeBatch(db: Db, batch: Batch): void {
  const s = prepareWriterStatements(db)
  const { run } = batch
  db.transaction(() => {
    // First: when the run was deleted meanwhile, write nothing more under its key.
    if (s.count.run(batch.events, batch.lostEvents, run).changes === 0) throw new RunDeleted()
    for (const table of PENDING_ORDER)
      writePending(s, table, table === 'sources' ? packed(batch.small.sources) : batch.small[table])
    writeFrames(s, batch.frames)
    writeBlocks(s, batch.blocks)
    writeActivations(s, batch.activations)
    for (const [file, lines] of batch.hits)
      for (const [line, count] of lines) s.hits.run(run, file, line, count)
    for (const t of batch.threadTallies)
      s.tally.run(t.firstSeq, t.lastSeq, t.firstUs, t.lastUs, t.events, t.locations, run, t.id)
    for (const t of batch.taskTallies)
      s.taskTally.run(t.firstSeq, t.lastSeq, t.firstUs, t.lastUs, t.events, t.firstFrame, run, t.id)
    if (batch.profile !== null) storeProfile(db, run, batch.profile)
  })()
}

/** Source texts as SQLite keeps them: deflated where that saves a tenth (source-text.ts). */
function packed(sources: Batch['small']['sources']): Batch['small']['sources'] {
  return sources.map(([hash, text]) => [hash, packSource(text as string)])
}

/** A RunWriter's store that writes into `db` at once. */
export function batchWriter(db: Db): { writeBatch(batch: Batch): void } {
  return { writeBatch: (batch) => writeBatch(db, batch) }
}
