/** `smiley tail`: follow a run while it is being recorded, like `tail -f`. */

import { setTimeout as sleep } from 'node:timers/promises'
import type { RunStatus } from '../../../shared/types/run.js'
import { openDatabase } from '../../db/database.js'
import { readEvents } from '../../db/events.js'
import { findRun, markLostRuns } from '../../db/runs.js'
import { Output } from '../../console/output.js'
import { EventPrinter } from '../../console/event-printer.js'
import { childStarts } from '../../db/child-starts.js'
import type { ParsedArgs } from '../args.js'
import { keeps, pastEnd } from '../../console/event-filter.js'
import {
  databaseOption,
  eventFilter,
  eventFilterOptions,
  jsonOption,
  text,
  type Command,
} from '../command.js'

const POLL_MS = 100
/** How often to check that the recorder of a running run is still alive. */
const LIVENESS_MS = 2000

export const tailCommand: Command = {
  spec: {
    name: 'tail',
    summary: 'Follow a run as it is recorded, printing its events as they arrive.',
    usage: ['[options] [RUN]'],
    description: [
      'Prints the events of the newest run (or RUN) in the replay format, then waits for more',
      'while the run is being recorded, and exits once it has ended and every event is shown.',
      'For a run that has already ended it prints all its events, like replay. Record in one',
      'terminal (smiley run prog.py) and watch in another (smiley tail).',
      'Where the program started a process, a line says which, as in replay (one recorded a',
      'moment after its event was printed comes on its own line as soon as it is recorded).',
      'With --json, one JSON object per event and line, as replay --json prints them.',
    ].join('\n'),
    options: [databaseOption, jsonOption, ...eventFilterOptions],
    positionals: [{ name: 'RUN', help: 'a run id, a unique prefix of one, or "latest" (default)' }],
    examples: ['smiley tail', 'smiley tail 3f2a9c1e', 'smiley tail --json | jq -c .locals'],
  },

  async run(args: ParsedArgs) {
    const db = openDatabase(text(args, 'database'), {
      lasting: true,
      readsWhereUnwritable: true,
    })
    try {
      const { key, run } = findRun(db, args.positionals[0] ?? 'latest')
      const out = new Output()
      let next = Number(args.options['from'])
      const printer = new EventPrinter(out, run.cwd, Boolean(args.options['json']), next)
      const status = db.prepare('SELECT status FROM runs WHERE id = ?').pluck()
      const filter = eventFilter(args)
      let checked = Date.now()
      for (;;) {
        if (Date.now() - checked >= LIVENESS_MS) {
          markLostRuns(db)
          checked = Date.now()
        }
        // Read before the events: a run that had ended by then has all its events stored.
        const now = (status.get(key) as RunStatus | undefined) ?? 'lost'
        await printer.know(childStarts(db, key))
        for (const event of readEvents(db, key, next)) {
          if (!out.open || pastEnd(filter, event)) return 0
          next = event.seq + 1
          await printer.event(event, keeps(filter, event))
        }
        if (now !== 'running' || !out.open) return 0
        await sleep(POLL_MS)
      }
    } finally {
      db.close()
    }
  },
}
