/** `smiley history`: every value a variable took in one call, and the event that set it. */

import { openRun } from '../open-run.js'
import { RunNames } from '../../db/events.js'
import { FrameStore } from '../../db/frame-store.js'
import { momentAt } from '../../db/moments.js'
import { variableHistory } from '../../db/questions.js'
import type { VariableChange } from '../../../shared/types/moment.js'
import { formatHistory } from '../../console/moment-format.js'
import { Output } from '../../console/output.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'
import { CliError } from '../errors.js'
import { eventNumber } from './event-number.js'

export const historyCommand: Command = {
  spec: {
    name: 'history',
    summary: "Print a variable's values in the call running at one event.",
    usage: ['[options] RUN SEQ NAME'],
    description: [
      'Every change of variable NAME in the call that event SEQ belongs to, from the call on:',
      'the event that set it, its line and the value (the first is its value on the call, or',
      'when first bound). The value in force at SEQ is marked with ">". With --json: an array',
      'of {seq, line, value, type}; a deleted variable has the value null.',
    ].join('\n'),
    options: [
      databaseOption,
      jsonOption,
      {
        name: 'limit',
        short: 'n',
        kind: 'integer',
        value: 'N',
        help: 'print N changes at most',
        default: 1000,
      },
    ],
    positionals: [
      { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true },
      { name: 'SEQ', help: 'an event of the call (see replay --json, search)', required: true },
      { name: 'NAME', help: "the variable's name", required: true },
    ],
    examples: [
      'smiley history latest 120 total',
      'smiley history --json latest 120 total | jq .[].value',
    ],
  },

  async run(args: ParsedArgs) {
    const [reference, seqText, name] = args.positionals as [string, string, string]
    const seq = eventNumber(seqText)
    const limit = Number(args.options['limit'])
    const { db, key, run, close } = await openRun(text(args, 'database'), reference)
    try {
      const names = new RunNames(db, key)
      const moment = momentAt(db, key, names, seq)
      if (moment === undefined)
        throw new CliError(
          `run ${run.id.slice(0, 8)} has no event ${seq} (it has ${run.eventCount})`,
        )
      const frame = moment.event.frame
      const call = FrameStore.of(db).frame(key, frame)?.callSeq ?? seq
      const changes: VariableChange[] = []
      let from: number | null = call
      while (from !== null && changes.length < limit) {
        const page = variableHistory(db, key, names, frame, name, from, limit - changes.length)
        changes.push(...page.changes)
        from = page.next
      }
      if (changes.length === 0)
        throw new CliError(`${moment.event.function} has no variable ${name} (at event ${seq})`)
      const out = new Output()
      if (args.options['json']) await out.line(JSON.stringify(changes))
      else for (const line of formatHistory(out, changes, seq)) await out.line(line)
      return 0
    } finally {
      await close()
    }
  },
}
