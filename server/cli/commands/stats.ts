/** `smiley stats show`, `export` and `graph`: a run's cProfile statistics. */

import { writeFileSync } from 'node:fs'
import type { Profile } from '../../../shared/types/profile.js'
import type { Run } from '../../../shared/types/run.js'
import { dumps } from '../../../shared/wire/marshal.js'
import { openRun } from '../open-run.js'
import { pstatsDict, readProfile } from '../../db/profile.js'
import {
  callGraph,
  DEFAULT_EDGE_THRESHOLD,
  DEFAULT_NODE_THRESHOLD,
  toDot,
} from '../../profile/callgraph.js'
import { renderSvg } from '../../profile/svg.js'
import { shortId } from '../../console/format.js'
import { Output } from '../../console/output.js'
import { formatPstats } from '../../console/pstats-format.js'
import { DEFAULT_SORT_KEY, isSortKey, SORT_KEYS, sortFunctions } from '../../console/pstats-sort.js'
import { closest, formatHelp, parseArgs, type CommandSpec, type ParsedArgs } from '../args.js'
import { databaseOption, jsonOption, text, type Command } from '../command.js'
import { CliError, UsageError } from '../errors.js'

const RUN = { name: 'RUN', help: 'a run id, a unique prefix of one, or "latest"', required: true }

const showSpec: CommandSpec = {
  name: 'stats show',
  summary: "Print a run's profile the way Python's pstats prints it.",
  usage: ['[options] RUN'],
  description: [
    'The cProfile statistics recorded with the run: calls (total/primitive when a function',
    'recursed), time in the function itself (tottime), with what it called (cumtime), each',
    'per call, then the function. The sort keys are those of pstats (or an abbreviation',
    'pstats accepts):',
    '  ' + SORT_KEYS.join(', '),
    'With --json, the profile with its functions in that order, and their callers in "calls".',
  ].join('\n'),
  options: [
    databaseOption,
    {
      name: 'sort-order',
      short: 's',
      kind: 'list',
      value: 'KEY',
      help: 'sort by this key, then by the next one given',
      default: [DEFAULT_SORT_KEY],
    },
    { name: 'limit', short: 'n', kind: 'integer', value: 'N', help: 'at most N functions' },
    jsonOption,
  ],
  positionals: [RUN],
  examples: [
    'smiley stats show latest',
    'smiley stats show --sort-order tottime --limit 20 3f2a9c1e',
    'smiley stats show -s calls -s name latest',
  ],
}

const exportSpec: CommandSpec = {
  name: 'stats export',
  summary: "Write a run's profile as a .pstats file.",
  usage: ['[options] RUN FILE'],
  description: [
    'Writes the file cProfile.Profile().dump_stats() would have written, for pstats,',
    'snakeviz, gprof2dot and every other tool that reads those.',
  ].join('\n'),
  options: [databaseOption],
  positionals: [
    RUN,
    { name: 'FILE', help: 'the file to write (replaced if it exists)', required: true },
  ],
  examples: [
    'smiley stats export latest prog.pstats',
    'python3 -m pstats prog.pstats',
    'snakeviz prog.pstats',
  ],
}

const FORMATS = ['dot', 'svg']

const graphSpec: CommandSpec = {
  name: 'stats graph',
  summary: "Draw a run's call graph, as gprof2dot draws it.",
  usage: ['[options] RUN'],
  description: [
    'The call graph gprof2dot draws from the profile: a box per function with its share of',
    'the total time (with what it called), of the time spent in it alone, and its calls; an',
    'arrow per call with its share and count, coloured from blue (cold) to red (hot). The',
    'functions and calls under the thresholds are left out. Dot text is what',
    '"smiley stats export RUN FILE; gprof2dot -f pstats FILE" prints, with functions named by',
    'their ids in "stats show --json". --format svg draws it (Graphviz dot layout, built in).',
  ].join('\n'),
  options: [
    databaseOption,
    { name: 'format', kind: 'string', value: 'FORMAT', help: 'dot or svg', default: 'dot' },
    {
      name: 'output',
      short: 'o',
      kind: 'string',
      value: 'FILE',
      help: 'write to FILE (replaced if it exists) instead of stdout',
    },
    {
      name: 'node-thres',
      short: 'n',
      kind: 'string',
      value: 'PERCENT',
      help: 'leave out functions under this share of the total time',
      default: String(DEFAULT_NODE_THRESHOLD),
    },
    {
      name: 'edge-thres',
      short: 'e',
      kind: 'string',
      value: 'PERCENT',
      help: 'leave out calls under this share of the total time',
      default: String(DEFAULT_EDGE_THRESHOLD),
    },
  ],
  positionals: [RUN],
  examples: [
    'smiley stats graph latest | dot -Tpng -o graph.png',
    'smiley stats graph --format svg -o graph.svg latest',
    'smiley stats graph --node-thres 0 --edge-thres 0 latest > everything.dot',
  ],
}

const ACTIONS = new Map<string, { spec: CommandSpec; run: (args: ParsedArgs) => Promise<number> }>([
  ['show', { spec: showSpec, run: show }],
  ['export', { spec: exportSpec, run: exportStats }],
  ['graph', { spec: graphSpec, run: graph }],
])

export const statsCommand: Command = {
  spec: {
    name: 'stats',
    summary: "Show, export or draw a run's profiler statistics (cProfile).",
    usage: ['show [options] RUN', 'export [options] RUN FILE', 'graph [options] RUN'],
    description: [
      'Commands:',
      `  show    ${showSpec.summary}`,
      `  export  ${exportSpec.summary}`,
      `  graph   ${graphSpec.summary}`,
      '',
      'Run "smiley stats COMMAND --help" for the options of each.',
    ].join('\n'),
    options: [],
    positionals: [
      { name: 'COMMAND', help: 'show, export or graph', required: true },
      { name: 'ARGS', help: 'its options and arguments', variadic: true },
    ],
    optionsEndAtPositional: true,
    examples: [
      ...showSpec.examples!.slice(0, 2),
      exportSpec.examples![0]!,
      graphSpec.examples![1]!,
    ],
  },

  async run(args: ParsedArgs) {
    const [name, ...rest] = args.positionals
    const action = ACTIONS.get(name!)
    if (action === undefined) {
      const guess = closest(name!, [...ACTIONS.keys()])
      throw new UsageError(
        `unknown stats command "${name}"${guess ? ` (did you mean ${guess}?)` : ''} (see: smiley stats --help)`,
      )
    }
    const parsed = parseArgs(action.spec, rest)
    if (parsed.help) {
      process.stdout.write(formatHelp(action.spec))
      return 0
    }
    return action.run(parsed)
  },
}

async function show(args: ParsedArgs): Promise<number> {
  const keys = args.options['sortOrder'] as string[]
  const bad = keys.find((key) => !isSortKey(key))
  if (bad !== undefined)
    throw new UsageError(`unknown sort key "${bad}": use one of ${SORT_KEYS.join(', ')}`)
  const limit = args.options['limit'] as number | undefined
  const profile = await load(args)
  const out = new Output()
  if (args.options['json']) {
    const sorted = sortFunctions(profile.functions, keys)
    const functions = limit === undefined ? sorted : sorted.slice(0, limit)
    const shown = new Set(functions.map((f) => f.id))
    const calls = profile.calls.filter((c) => shown.has(c.callee))
    await out.line(JSON.stringify({ ...profile, functions, calls }, null, 2))
    return 0
  }
  const { summary, table } = formatPstats(profile, {
    sort: keys,
    ...(limit === undefined ? {} : { limit }),
  })
  for (const line of summary) await out.line(line)
  for (const [index, line] of table.entries())
    await out.line(index === 0 ? out.style('bold', line) : line)
  return 0
}

async function exportStats(args: ParsedArgs): Promise<number> {
  const file = args.positionals[1]!
  const profile = await load(args)
  try {
    writeFileSync(file, dumps(pstatsDict(profile)))
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${why(error)}`)
  }
  const count = profile.functions.length
  await new Output().line(
    `wrote ${file}: ${count} function${count === 1 ? '' : 's'} (python3 -m pstats ${file})`,
  )
  return 0
}

async function graph(args: ParsedArgs): Promise<number> {
  const format = text(args, 'format')
  if (!FORMATS.includes(format))
    throw new UsageError(`unknown format "${format}": use ${FORMATS.join(' or ')}`)
  const nodeThreshold = percent(args, 'nodeThres', 'node-thres')
  const edgeThreshold = percent(args, 'edgeThres', 'edge-thres')
  const file = args.options['output'] as string | undefined
  const profile = await load(args)
  const drawn = callGraph(profile, { nodeThreshold, edgeThreshold })
  const dot = toDot(drawn)
  const output = format === 'svg' ? await renderSvg(dot) : dot
  const out = new Output()
  if (file === undefined) {
    await out.line(output.replace(/\n$/, ''))
    return 0
  }
  try {
    writeFileSync(file, output)
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${why(error)}`)
  }
  const { nodes, edges, functionCount } = drawn
  await out.line(
    `wrote ${file}: ${nodes.length} of ${functionCount} function${functionCount === 1 ? '' : 's'}, ` +
      `${edges.length} call${edges.length === 1 ? '' : 's'}`,
  )
  return 0
}

/** A threshold option: a percentage from 0 to 100, written as a plain decimal number. */
function percent(args: ParsedArgs, key: string, option: string): number {
  const raw = text(args, key)
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : NaN
  if (!(value >= 0 && value <= 100))
    throw new UsageError(`option --${option} needs a percentage from 0 to 100, not "${raw}"`)
  return value
}

/** The profile of the run the arguments name; a clear error when it has none. */
async function load(args: ParsedArgs): Promise<Profile> {
  const { db, key, run, close } = await openRun(text(args, 'database'), args.positionals[0]!)
  try {
    const profile = readProfile(db, key)
    if (profile === null)
      throw new CliError(`run ${shortId(run.id)} has no profile: ${whyNone(run)}`)
    return profile
  } finally {
    await close()
  }
}

function whyNone(run: Run): string {
  if (run.options['profile'] === false) return 'it was recorded with --no-profile'
  if (run.status === 'running') return 'it is still running, and the profile is stored when it ends'
  return 'the program ended before the profile could be stored, or another profiler was active'
}

function why(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'its folder does not exist'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'EISDIR':
      return 'it is a folder'
    case 'EROFS':
      return 'the file system is read-only'
    case 'ENOSPC':
      return 'the disk is full'
    default:
      return (error as Error).message
  }
}
