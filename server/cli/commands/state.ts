/** `smiley state`: the program at one event of a run, as the explorer shows it. */

import { openRun } from '../open-run.js'
import { RunNames } from '../../db/events.js'
import { momentAt } from '../../db/moments.js'
import { formatMoment } from '../../console/moment-format.js'
import { Output } from '../../console/output.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'
import { CliError } from '../errors.js'
import { eventNumber } from './event-number.js'

export const stateCommand: Command = {
  spec: {
    name: 'state',
    summary: 'Print the program at one event: its source line, variables and stack.',
    usage: ['[options] RUN SEQ'],
    description: [
      'The source around the line being run (as it was when the run executed it), the',
      "current call's variables as they were at that event (those changed by it marked), and",
      'the calls on the stack, innermost first, each at the line it was on and the event that',
      'put it there. With --json: the moment as the dashboard reads it (event, variables,',
      'stack).',
    ].join('\n'),
    options: [
      databaseOption,
      jsonOption,
      {
        name: 'context',
        short: 'C',
        kind: 'integer',
        value: 'N',
        help: 'source lines shown around the line',
        default: 3,
        max: 1000,
      },
    ],
    positionals: [
      { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true },
      { name: 'SEQ', help: 'the event number (see replay --json, search)', required: true },
    ],
    examples: ['smiley state latest 120', 'smiley state --json latest 120 | jq .variables'],
  },

  async run(args: ParsedArgs) {
    const seq = eventNumber(args.positionals[1]!)
    const { db, key, run, close } = await openRun(text(args, 'database'), args.positionals[0]!)
    try {
      const names = new RunNames(db, key)
      const moment = momentAt(db, key, names, seq)
      if (moment === undefined)
        throw new CliError(
          `run ${run.id.slice(0, 8)} has no event ${seq} (it has ${run.eventCount})`,
        )
      const out = new Output()
      if (args.options['json']) {
        await out.line(JSON.stringify(moment))
        return 0
      }
      const fileId = moment.fileId
      const sourceLine = (line: number) => (fileId === null ? null : names.sourceLine(fileId, line))
      const context = Number(args.options['context'])
      for (const line of formatMoment(out, moment, run.eventCount, run.cwd, sourceLine, context))
        await out.line(line)
      return 0
    } finally {
      await close()
    }
  },
}
