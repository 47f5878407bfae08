/** `smiley delete`: remove runs, with everything only they used. */

import type { DeletedRun } from '../../db/delete.js'
import type { StoredRun } from '../../db/runs.js'
import { openStore } from '../../store/open.js'
import { formatCount, shortId } from '../../console/format.js'
import { Output } from '../../console/output.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, text, type Command } from '../command.js'
import { CliError } from '../errors.js'

export const deleteCommand: Command = {
  spec: {
    name: 'delete',
    summary: 'Delete runs and everything only they used.',
    usage: ['[options] RUN…'],
    description: [
      'Removes each run with its events, frames, files, functions, variable names, threads,',
      'line counts and profile, and the source texts no other run uses. Each run goes in one',
      'transaction, quickly even with millions of events. A run still being recorded is',
      'refused unless --force is given; nothing is deleted if any RUN is unknown or refused.',
    ].join('\n'),
    options: [
      databaseOption,
      { name: 'force', short: 'f', kind: 'flag', help: 'delete runs even while being recorded' },
    ],
    positionals: [
      {
        name: 'RUN',
        help: 'run ids, unique prefixes of them, or "latest"',
        required: true,
        variadic: true,
      },
    ],
    examples: ['smiley delete 3f2a9c1e', 'smiley delete latest', 'smiley delete 3f2a b0d9 4f1c'],
  },

  async run(args: ParsedArgs) {
    const store = await openStore(text(args, 'database'))
    const out = new Output()
    try {
      await store.markLostRuns()
      const runs = new Map<number, StoredRun>()
      for (const reference of args.positionals) {
        const found = await store.findRun(reference)
        runs.set(found.key, found)
      }
      if (!args.options['force']) {
        const running = [...runs.values()].find(({ run }) => run.status === 'running')
        if (running !== undefined)
          throw new CliError(
            `run ${shortId(running.run.id)} is still being recorded; nothing deleted (use --force to delete it anyway)`,
          )
      }
      for (const { key, run } of runs.values()) {
        const deleted = await store.deleteRun(key)
        await out.line(`deleted run ${shortId(run.id)} (${run.description}): ${describe(deleted)}`)
      }
      return 0
    } finally {
      await store.close()
    }
  },
}

/** Tables whose rows are one of something a user knows, with its name. */
const TABLE_NAMES: Array<[string, string]> = [
  ['threads', 'thread'],
  ['files', 'file'],
  ['functions', 'function'],
  ['symbols', 'name'],
  ['line_hits', 'line count'],
  ['profiles', 'profile'],
]

/** `134 events, 12 frames, …, 2 sources`: what went, the big ones first. */
function describe(deleted: DeletedRun): string {
  const parts: string[] = []
  const add = (count: number, noun: string) =>
    parts.push(`${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`)
  add(deleted.events, 'event')
  if (deleted.frames > 0) add(deleted.frames, 'frame')
  for (const [table, noun] of TABLE_NAMES) {
    const count = deleted.rows[table] ?? 0
    if (count > 0) add(count, noun)
  }
  add(deleted.sources, 'source')
  return parts.join(', ')
}
