/** `smiley replay`: a recorded run's events, in order, as Smiley's monitor prints them. */

import { openStore } from '../../store/open.js'
import { walkEvents } from '../../store/walk.js'
import { Output } from '../../console/output.js'
import { EventPrinter } from '../../console/event-printer.js'
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
  spec: {
    name: 'replay',
    summary: "Print a run's events in order, as they were recorded.",
    usage: ['[options] RUN'],
    description: [
      'Each line shows file:line:thread and the source line as it was when the run executed it;',
      'changed variables follow, then return values (return>>>) and exceptions (exception>>>).',
      'Where the program started a process, a line after the event it followed says which, and',
      'the run it was recorded as (↳ started child process pid N (subprocess) → run …).',
      'With --json, one JSON object per event and line; an event after which processes were',
      'started carries them in `children`, as `smiley show --json` lists them.',
    ].join('\n'),
    options: [databaseOption, jsonOption, ...eventFilterOptions],
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
      const from = Number(args.options['from'])
      const printer = new EventPrinter(out, run.cwd, Boolean(args.options['json']), from)
      const filter = eventFilter(args)
      await printer.know(await store.childStarts(key))
      for await (const event of walkEvents(store, key, from)) {
        if (!out.open || pastEnd(filter, event)) break
        await printer.event(event, keeps(filter, event))
      }
      return 0
    } finally {
      await store.close()
    }
  },
}
