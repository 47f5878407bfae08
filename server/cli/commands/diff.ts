/** `smiley diff`: where two runs of a program first went different ways. */

import { databaseFailure, type Db } from '../../db/database.js'
import { RunNotFound, type StoredRun } from '../../db/runs.js'
import { StoreError } from '../../store/errors.js'
import { openStore } from '../../store/open.js'
import type { Store } from '../../store/store.js'
import { badPattern, compareRuns } from '../../diff/index.js'
import { formatDiff } from '../../console/diff-format.js'
import { Output } from '../../console/output.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'
import { CliError } from '../errors.js'
import { describeUrl, isPostgresUrl } from '../../store/location.js'

const RUN_HELP = 'a run id, a unique prefix of one, "latest" or "latest~N"'

export const diffCommand: Command = {
  spec: {
    name: 'diff',
    summary: 'Compare two runs: where they first went different ways, in paths and values.',
    usage: ['[options] A B'],
    description: [
      'Aligns the runs thread by thread (threads matched by name and start order) and prints',
      'the first value divergence (a local, a return value or an exception that differs on',
      'the same path), the first control-flow divergence (the last event both shared, where',
      'each went next, both call stacks) and where the paths meet again, and the functions',
      'called a different number of times. Files are matched by their path relative to the',
      "run's folder, then by content, so runs from other machines and Pythons compare;",
      'with --database-b, run B is looked for in another database file.',
      'Addresses (0x7f…), ids, timestamps and durations are not differences.',
      'Exit status: 0 when the runs match, 1 when they differ, 2 on error.',
    ].join('\n'),
    options: [
      databaseOption,
      {
        name: 'database-b',
        kind: 'string',
        value: 'PATH',
        help: "the SQLite file holding run B, when it is not in A's (--database)",
      },
      jsonOption,
      {
        name: 'all',
        kind: 'flag',
        help: 'list every stretch where the paths part, not just the first',
      },
      {
        name: 'ignore',
        kind: 'list',
        value: 'REGEX',
        help: 'text in values that is not a difference',
      },
      {
        name: 'ignore-name',
        kind: 'list',
        value: 'NAME',
        help: 'a variable whose values are not compared',
      },
    ],
    positionals: [
      { name: 'A', help: RUN_HELP, required: true },
      { name: 'B', help: RUN_HELP, required: true },
    ],
    examples: [
      'smiley diff latest~1 latest',
      'smiley diff --all 3f2a b0d9',
      'smiley diff latest latest --database-b ci-smiley.db',
      "smiley diff --ignore 'took \\d+ ms' --ignore-name session latest~1 latest",
      'smiley diff --json latest~1 latest | jq .controlFlow',
    ],
  },

  async run(args: ParsedArgs) {
    const ignore = (args.options['ignore'] as string[] | undefined) ?? []
    const problem = badPattern(ignore)
    if (problem !== null) throw new CliError(problem, 2)
    let report
    try {
      const paths = [text(args, 'database'), text(args, 'databaseB') || text(args, 'database')]
      const stores: Store[] = []
      try {
        const sides: Array<{ db: Db; stored: StoredRun }> = []
        for (const [index, reference] of args.positionals.entries()) {
          // A store (a connection) per side: the comparison reads both runs at once.
          const store = await openStore(paths[index]!, { readonly: true })
          stores.push(store)
          const stored = await findIn(store, reference, paths[index]!, paths[0] !== paths[1])
          sides.push({ db: await store.reader(stored), stored })
        }
        const [a, b] = sides
        report = compareRuns(a!, b!, {
          ignore,
          ignoreNames: (args.options['ignoreName'] as string[] | undefined) ?? [],
          all: Boolean(args.options['all']),
        })
      } finally {
        for (const store of stores) await store.close()
      }
    } catch (error) {
      throw asFailure(error)
    }
    const out = new Output()
    if (args.options['json']) await out.line(JSON.stringify(report, null, 2))
    else for (const line of formatDiff(report, out)) await out.line(line)
    return report.identical ? 0 : 1
  },
}

/** Run `reference` of `db`; when the runs are in two files, a missing one names its file. */
async function findIn(
  store: Store,
  reference: string,
  path: string,
  twoFiles: boolean,
): Promise<StoredRun> {
  try {
    return await store.findRun(reference)
  } catch (error) {
    if (twoFiles && error instanceof RunNotFound)
      throw new RunNotFound(`${isPostgresUrl(path) ? describeUrl(path) : path}: ${error.message}`)
    throw error
  }
}

/** Exit status 1 means "the runs differ": every failure of diff is status 2. */
function asFailure(error: unknown): unknown {
  if (error instanceof CliError) return new CliError(error.message, 2)
  const failure =
    error instanceof RunNotFound || error instanceof StoreError ? error : databaseFailure(error)
  return failure === null ? error : new CliError(failure.message, 2)
}
