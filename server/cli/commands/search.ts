/** `smiley search`: the events of a run that match a query of the dashboard's search language. */

import { QueryError, parseTraceQuery } from '../../../shared/trace-query.js'
import { openRun } from '../open-run.js'
import { RunNames } from '../../db/events.js'
import { searchEvents } from '../../db/search.js'
import { Output } from '../../console/output.js'
import { ReplayFormatter } from '../../console/replay-format.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'
import { UsageError } from '../errors.js'

export const searchCommand: Command = {
  spec: {
    name: 'search',
    summary: "Print a run's events that match a query, as replay prints them.",
    usage: ['[options] RUN QUERY…'],
    description: [
      "The query is the dashboard's: words are looked for in values, return values and",
      'exception messages (ignoring case); fn:NAME and file:PART keep events of functions and',
      'files whose names hold them, var:NAME those that changed that variable, and',
      'kind:call|line|return|exception one kind of event. Each match starts with its event',
      'number (for smiley state). With --json, one JSON object per event, as replay --json.',
    ].join('\n'),
    options: [
      databaseOption,
      jsonOption,
      {
        name: 'limit',
        short: 'n',
        kind: 'integer',
        value: 'N',
        help: 'print N matches at most',
        default: 20,
      },
      {
        name: 'from',
        kind: 'integer',
        value: 'SEQ',
        help: 'look from this event number on',
        default: 1,
      },
    ],
    positionals: [
      { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true },
      {
        name: 'QUERY',
        help: 'what to look for (several words are one query)',
        required: true,
        variadic: true,
      },
    ],
    examples: [
      'smiley search latest kind:exception',
      'smiley search latest fn:parse var:total',
      'smiley search -n 1 --json latest "not found" | jq .seq',
    ],
  },

  async run(args: ParsedArgs) {
    const [reference, ...words] = args.positionals
    let query
    try {
      query = parseTraceQuery(words.join(' '))
    } catch (error) {
      if (error instanceof QueryError) throw new UsageError(error.message)
      throw error
    }
    const limit = Number(args.options['limit'])
    const { db, key, run, close } = await openRun(text(args, 'database'), reference!)
    try {
      const names = new RunNames(db, key)
      const out = new Output()
      const json = Boolean(args.options['json'])
      const formatter = new ReplayFormatter(out, run.cwd, true)
      let from: number | null = Number(args.options['from'])
      let left = limit
      while (from !== null && left > 0 && out.open) {
        const page = searchEvents(db, key, names, {
          query,
          from,
          direction: 'forward',
          limit: left,
          total: run.eventCount,
        })
        for (const event of page.matches) {
          if (json) await out.line(JSON.stringify(event))
          else for (const line of formatter.format(event)) await out.line(line)
        }
        left -= page.matches.length
        from = page.next
      }
      return 0
    } finally {
      await close()
    }
  },
}
