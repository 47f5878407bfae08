/** `smiley replay`: a recorded run's events, in order, as Smiley's monitor prints them. */

import { openStore } from '../../store/open.js'
import { walkEvents } from '../../store/walk.js'
import { Output } from '../../console/output.js'
import { ReplayFormatter } from '../../console/replay-format.js'
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

export const replayCommand: Command = {
  postgres: true,
  spec: {
    name: 'replay',
    summary: "Print a run's events in order, as they were recorded.",
    usage: ['[options] RUN'],
    description: [
      'Each line shows file:line:thread and the source line as it was when the run executed it;',
      'changed variables follow, then return values (return>>>) and exceptions (exception>>>).',
      'With --json, one JSON object per event and line.',
    ].join('\n'),
    options: [
      databaseOption,
      jsonOption,
      {
        name: 'from',
        kind: 'integer',
        value: 'SEQ',
        help: 'start at this event number',
        default: 1,
      },
      ...eventFilterOptions,
    ],
    positionals: [
      { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true },
    ],
    examples: [
      'smiley replay 3f2a9c1e',
      'smiley replay latest | less -R',
      'smiley replay --json latest | jq .locals',
    ],
  },

  async run(args: ParsedArgs) {
    const store = await openStore(text(args, 'database'), { readonly: true })
    try {
      const { key, run } = await store.findRun(args.positionals[0]!)
      const out = new Output()
      const json = Boolean(args.options['json'])
      const formatter = new ReplayFormatter(out, run.cwd)
      const filter = eventFilter(args)
      for await (const event of walkEvents(store, key, Number(args.options['from']))) {
        if (!out.open || pastEnd(filter, event)) break
        if (!keeps(filter, event)) continue
        if (json) await out.line(JSON.stringify(event))
        else for (const line of formatter.format(event)) await out.line(line)
      }
      return 0
    } finally {
      await store.close()
    }
  },
}
