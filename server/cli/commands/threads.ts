/** `smiley threads`: a run's threads, when each ran and how much it did. */

import type { ThreadSummary } from '../../../shared/types/thread.js'
import { openRun } from '../open-run.js'
import { listThreads } from '../../db/threads.js'
import { formatCount, formatTime } from '../../console/format.js'
import { Output } from '../../console/output.js'
import { formatTable, type Column } from '../../console/table.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'

export const threadsCommand: Command = {
  spec: {
    name: 'threads',
    summary: "List a run's threads: when each ran, its events and locations.",
    usage: ['[options] RUN'],
    description: [
      "START and END are the times of the thread's first and last recorded event, in seconds",
      'since the run started; AT is the wall-clock time of its first event. EVENTS counts its',
      'events, LOCATIONS the distinct lines (per function) it executed.',
      'With --json: id, ident, name, firstSeq, lastSeq, startedAt, endedAt (seconds since the',
      'run started), events and locations of each thread.',
    ].join('\n'),
    options: [databaseOption, jsonOption],
    positionals: [
      { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true },
    ],
    examples: ['smiley threads latest', 'smiley threads --json 3f2a | jq ".[].name"'],
  },

  async run(args: ParsedArgs) {
    const { db, key, run, close } = await openRun(text(args, 'database'), args.positionals[0]!)
    let threads: ThreadSummary[]
    let started: number
    try {
      threads = listThreads(db, key)
      started = run.startedAt
    } finally {
      await close()
    }
    const out = new Output()
    if (args.options['json']) {
      await out.line(JSON.stringify(threads, null, 2))
      return 0
    }
    if (threads.length === 0) {
      await out.line(out.style('dim', 'This run has no recorded threads.'))
      return 0
    }
    const columns: Column<ThreadSummary>[] = [
      { header: 'ID', value: (t) => String(t.id), align: 'right' },
      { header: 'NAME', value: (t) => t.name, max: 40 },
      { header: 'START', value: (t) => seconds(t.startedAt), align: 'right' },
      { header: 'END', value: (t) => seconds(t.endedAt), align: 'right' },
      {
        header: 'AT',
        value: (t) => (t.startedAt === null ? '' : clock(started + t.startedAt)),
      },
      { header: 'EVENTS', value: (t) => formatCount(t.events), align: 'right' },
      { header: 'LOCATIONS', value: (t) => formatCount(t.locations), align: 'right' },
    ]
    const lines = formatTable(columns, threads, (_column, thread, padded) =>
      thread === null ? out.style('bold', padded) : padded,
    )
    for (const line of lines) await out.line(line)
    return 0
  },
}

function seconds(value: number | null): string {
  return value === null ? '' : `${value.toFixed(3)} s`
}

/** Local date and time to the millisecond. */
function clock(unixSeconds: number): string {
  const millis = String(Math.floor((unixSeconds * 1000) % 1000)).padStart(3, '0')
  return `${formatTime(unixSeconds)}.${millis}`
}
