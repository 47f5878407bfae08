/** `smiley list`: the recorded runs, newest first. */

import type { Run } from '../../../shared/types/run.js'
import { nestRuns, processLabel, type NestedRun } from '../../../shared/run-tree.js'
import type { SessionTest } from '../../../shared/types/test.js'
import { openStore } from '../../store/open.js'
import type { Store } from '../../store/store.js'
import {
  formatCount,
  formatDuration,
  formatTime,
  runDuration,
  shortId,
} from '../../console/format.js'
import { Output } from '../../console/output.js'
import { STATUS_STYLE } from '../../console/status-style.js'
import { formatCsv, formatTable, type Column } from '../../console/table.js'
import type { ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'
import { CliError, UsageError } from '../errors.js'

export const listCommand: Command = {
  spec: {
    name: 'list',
    summary: 'List the recorded runs, newest first.',
    usage: ['[options]'],
    options: [
      databaseOption,
      {
        name: 'errors',
        kind: 'flag',
        help: 'only runs that failed, were interrupted or were lost',
      },
      { name: 'limit', short: 'n', kind: 'integer', value: 'N', help: 'at most N runs' },
      {
        name: 'session',
        kind: 'string',
        value: 'RUN',
        help: "a test session's tests (smiley pytest), in the order they ran, instead of runs",
      },
      jsonOption,
      { name: 'csv', kind: 'flag', help: 'print CSV instead of text' },
    ],
    positionals: [],
    examples: [
      'smiley list',
      'smiley list --errors -n 5',
      'smiley list --json | jq ".[0].id"',
      'smiley list --session latest',
    ],
  },

  async run(args: ParsedArgs) {
    if (args.options['json'] && args.options['csv'])
      throw new UsageError('choose one of --json and --csv')
    const store = await openStore(text(args, 'database'), { readsWhereUnwritable: true })
    const session = args.options['session']
    if (typeof session === 'string') return listSession(store, session, args)
    let runs: Run[]
    try {
      await store.markLostRuns()
      const limit = args.options['limit'] as number | undefined
      runs = await store.listRuns({
        errorsOnly: Boolean(args.options['errors']),
        ...(limit ? { limit } : {}),
      })
    } finally {
      await store.close()
    }
    const out = new Output()
    if (args.options['json']) {
      await out.line(JSON.stringify(runs, null, 2))
      return 0
    }
    if (args.options['csv']) {
      process.stdout.write(
        formatCsv(
          ['id', 'description', 'started', 'ended', 'status', 'exit_code', 'events', 'error'],
          runs.map((r) => [
            r.id,
            r.description,
            iso(r.startedAt),
            iso(r.endedAt),
            r.status,
            r.exitCode,
            r.eventCount,
            errorOf(r),
          ]),
        ),
      )
      return 0
    }
    if (runs.length === 0) {
      await out.line(out.style('dim', 'No runs recorded yet. Record one with: smiley run prog.py'))
      return 0
    }
    // A child process's run stands under the run that started it.
    const columns: Column<NestedRun>[] = [
      {
        header: 'ID',
        value: ({ run, depth }) =>
          `${depth > 0 ? `${'  '.repeat(depth)}└ ` : ''}${shortId(run.id)}`,
      },
      { header: 'STARTED', value: ({ run }) => formatTime(run.startedAt) },
      { header: 'DURATION', value: ({ run }) => formatDuration(runDuration(run)), align: 'right' },
      // A run whose recording stopped early or missed events says so (its notice).
      {
        header: 'STATUS',
        value: ({ run }) => (run.notice ? `${run.status} (partial)` : run.status),
      },
      { header: 'EVENTS', value: ({ run }) => formatCount(run.eventCount), align: 'right' },
      { header: 'DESCRIPTION', value: ({ run }) => describe(run), max: 50 },
      { header: 'ERROR', value: ({ run }) => errorOf(run), max: 60 },
    ]
    const lines = formatTable(columns, nestRuns(runs), (column, row, padded) => {
      const run = row?.run ?? null
      if (run === null) return out.style('bold', padded)
      if (column.header === 'STATUS') return out.style(STATUS_STYLE[run.status], padded)
      if (column.header === 'ERROR')
        return out.style(run.errorMessage || run.errorType ? 'red' : 'yellow', padded)
      if (column.header === 'ID') return out.style('dim', padded)
      return padded
    })
    for (const line of lines) await out.line(line)
    return 0
  },
}

/** A run's description; a child process's says how it was started. */
function describe(run: Run): string {
  const label = processLabel(run)
  return label === null ? run.description : `${run.description} [${label}]`
}

function errorOf(run: Run): string {
  if (run.errorType)
    return run.errorMessage ? `${run.errorType}: ${run.errorMessage}` : run.errorType
  return run.errorMessage ?? run.notice ?? ''
}

function iso(unixSeconds: number | null): string {
  return unixSeconds === null ? '' : new Date(unixSeconds * 1000).toISOString()
}

/** `--session RUN`: the tests of a session, each with its outcome and its run. */
async function listSession(store: Store, reference: string, args: ParsedArgs): Promise<number> {
  let tests: SessionTest[]
  let ended = false
  try {
    await store.markLostRuns()
    let { key, run } = await store.findRun(reference)
    // A test's run stands for its session.
    if (run.test !== undefined) ({ key, run } = await store.findRun(run.test.session))
    if (!run.options['perTest'])
      throw new CliError(
        `run ${shortId(run.id)} is not a test session (record one with: smiley pytest)`,
      )
    tests = await store.sessionTests(key)
    ended = run.status !== 'running'
  } finally {
    await store.close()
  }
  const out = new Output()
  if (args.options['json']) {
    await out.line(JSON.stringify(tests, null, 2))
    return 0
  }
  if (args.options['csv']) {
    process.stdout.write(
      formatCsv(
        ['test', 'outcome', 'duration', 'events', 'run', 'kept'],
        tests.map((t) => [t.name, t.outcome, t.duration, t.events, t.run, t.kept ? 'yes' : 'no']),
      ),
    )
    return 0
  }
  if (tests.length === 0) {
    await out.line(out.style('dim', 'No tests ran in this session.'))
    return 0
  }
  const columns: Column<SessionTest>[] = [
    { header: 'RUN', value: (t) => (t.kept ? shortId(t.run) : '-') },
    // A test without an outcome in a session that has ended was interrupted.
    { header: 'OUTCOME', value: (t) => t.outcome ?? (ended ? 'interrupted' : 'running') },
    { header: 'DURATION', value: (t) => formatDuration(t.duration), align: 'right' },
    {
      header: 'EVENTS',
      value: (t) => (t.events === null ? '' : formatCount(t.events)),
      align: 'right',
    },
    { header: 'TEST', value: (t) => t.name, max: 100 },
  ]
  const lines = formatTable(columns, tests, (column, test, padded) => {
    if (test === null) return out.style('bold', padded)
    if (column.header === 'OUTCOME' && (test.outcome === 'failed' || test.outcome === 'error'))
      return out.style('red', padded)
    if (column.header === 'RUN') return out.style('dim', padded)
    return padded
  })
  for (const line of lines) await out.line(line)
  return 0
}
