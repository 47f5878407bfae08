/** `smiley show`: everything recorded about a run, short of its events. */

import { openStore } from '../../store/open.js'
import { runTasks } from '../../store/run-tasks.js'
import { formatChildStarts } from '../../console/child-start-format.js'
import { formatTasks } from '../../console/task-format.js'
import { Output } from '../../console/output.js'
import { formatRunDetails } from '../../console/run-details.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'

export const showCommand: Command = {
  spec: {
    name: 'show',
    summary: "Show a run's details: how it ran, how it ended, its threads and tasks.",
    usage: ['[options] RUN'],
    description: [
      'Prints where and how the program ran (directory, arguments, interpreter, host, pid),',
      'when it started and ended, its status, exit code or signal, its uncaught exception with',
      'the traceback as Python printed it, the number of events, how it was recorded, and its',
      'threads and asyncio tasks, and the processes it started (after which event, and the run',
      'each was recorded as). With --json, the run as `smiley list --json` shows it, plus',
      '`threads` and `tasks` (id, name, thread, awaiter, rootFunction, firstSeq, lastSeq, events)',
      'and `children` (seq, pid, at, run: id, pid, startedBy, description, status; null when the',
      'process was not recorded).',
    ].join('\n'),
    options: [databaseOption, jsonOption],
    positionals: [
      { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true },
    ],
    examples: [
      'smiley show latest',
      'smiley show 3f2a9c1e',
      'smiley show --json latest | jq .status',
    ],
  },

  async run(args: ParsedArgs) {
    const store = await openStore(text(args, 'database'), { readonly: true })
    const out = new Output()
    try {
      const { key, run } = await store.findRun(args.positionals[0]!)
      const threads = await store.threads(key)
      const tasks = await runTasks(store, key)
      const children = await store.childStarts(key)
      if (args.options['json'])
        await out.line(JSON.stringify({ ...run, threads, tasks, children }, null, 2))
      else {
        for (const line of formatRunDetails(run, threads, out)) await out.line(line)
        for (const line of formatTasks(tasks, out)) await out.line(line)
        for (const line of formatChildStarts(children, out)) await out.line(line)
      }
      return 0
    } finally {
      await store.close()
    }
  },
}
