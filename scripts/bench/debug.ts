/**
 * Debugging a huge run from an editor and from an agent: writes a synthetic run of N events
 * (default ten million; see synthetic.ts) and a baseline run of two million in the same
 * database, then times, on each, what an editor asks `smiley dap` per stop (the move, then
 * the stack, the scopes and the locals) and each tool of `smiley mcp`, through the real
 * commands over stdio: the DAP operations from five points of each run, the MCP tools three
 * times, each operation's median kept; each after a pass over the same run that warms the
 * file cache. The ratio huge / baseline shows whether an
 * operation costs more on a longer run.
 *
 *   npx tsx scripts/bench/debug.ts [--events N] [--database PATH] [--keep]
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { openDatabase } from '../../server/db/database.js'
import { SMILEY } from '../../tests/support/cli.js'
import { DapClient } from '../../tests/support/dap-client.js'
import { writeSyntheticRun } from './synthetic.js'
import { hugeRunOptions } from './standalone.js'

const BASELINE_EVENTS = 2_000_000
/** Each MCP tool is called this many times in a row; the median is kept. */
const MCP_PASSES = 3
/** Where in the run (a fraction of its events) each pass of the DAP operations starts. */
const POINTS = [0.3, 0.4, 0.5, 0.6, 0.7]

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const SOURCE = '/synthetic/synthetic.py'
/** The thread that calls checkpoint (synthetic.ts gives loops to its two threads by turns). */
const WORKER = 2
/** The first line of checkpoint(i), called once every 100,000 loops. */
const CHECKPOINT_LINE = 17

export interface DebugOptions {
  events: number
  database?: string | undefined
  keep?: boolean | undefined
}

/** Milliseconds of one operation on the baseline run and on the huge one. */
export interface DebugTiming {
  operation: string
  baseline: number
  huge: number
}

export interface DebugFigures {
  events: number
  baselineEvents: number
  dap: DebugTiming[]
  mcp: DebugTiming[]
}

interface Run {
  uuid: string
  total: number
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

/** Each DAP operation on one run: the request, its stopped event, then stack, scopes and locals. */
async function timeDap(database: string, run: Run): Promise<Map<string, number>> {
  const client = new DapClient()
  const timings = new Map<string, number>()
  try {
    await client.ok('initialize', { adapterID: 'smiley' })
    const initialized = client.nextEvent('initialized')
    await client.ok('launch', { run: run.uuid, database })
    await initialized
    await client.ok('setBreakpoints', {
      source: { path: SOURCE },
      breakpoints: [{ line: CHECKPOINT_LINE }],
    })
    const entry = client.nextEvent('stopped')
    await client.ok('configurationDone')
    await entry
    const stop = async (command: string, args: object) => {
      const stopped = await client.moveTo(command, { threadId: WORKER, ...args })
      if (stopped.event !== 'stopped') throw new Error(`${command} ended the session`)
      const threadId = stopped.body.threadId as number
      const { stackFrames } = await client.ok('stackTrace', { threadId })
      const { scopes } = await client.ok('scopes', { frameId: stackFrames[0].id })
      await client.ok('variables', { variablesReference: scopes[0].variablesReference })
    }
    // From a point of the run on to a checkpoint call, through it and out, then back to
    // earlier hits (or the thread's first event); from several points, each median kept.
    const samples = new Map<string, number[]>()
    const sample = (label: string, ms: number) =>
      samples.set(label, [...(samples.get(label) ?? []), ms])
    const moves = async (operations: Array<[string, string, object]>) => {
      for (const [label, command, args] of operations)
        sample(label, await time(() => stop(command, args)))
    }
    for (const at of POINTS) {
      await moves([
        ['goto an event', 'goto', { targetId: Math.floor(run.total * at) }],
        ['continue to the next breakpoint hit', 'continue', {}],
      ])
      // In checkpoint(i), at its first line.
      sample(
        'evaluate a condition (hover)',
        await time(() =>
          client.ok('evaluate', { expression: 'i >= 99999 and i != 5', context: 'hover' }),
        ),
      )
      sample(
        'goto targets of a line',
        await time(() =>
          client.ok('gotoTargets', { source: { path: SOURCE }, line: CHECKPOINT_LINE }),
        ),
      )
      await moves([
        ['next (step over)', 'next', {}],
        ['step in', 'stepIn', {}],
        ['step back', 'stepBack', {}],
        ['step out', 'stepOut', {}],
        ['reverse continue to the hit just left', 'reverseContinue', {}],
        ['reverse continue to the hit before', 'reverseContinue', {}],
      ])
    }
    for (const [label, times] of samples) timings.set(label, median(times))
    await client.ok('disconnect')
  } finally {
    client.close()
  }
  return timings
}

/** Each MCP tool on one run, through the SDK's client. */
async function timeMcp(client: Client, run: Run): Promise<Map<string, number>> {
  const middle = Math.floor(run.total / 2)
  const calls: Array<[string, Record<string, unknown>]> = [
    ['list_runs', {}],
    ['run_summary', { run: run.uuid }],
    ['search', { run: run.uuid, query: 'kind:exception', limit: 20 }],
    ['search', { run: run.uuid, query: '"checkpoint 99999"', limit: 1, from: middle }],
    ['state_at', { run: run.uuid, event: middle }],
    ['variable_history', { run: run.uuid, event: middle, name: 'total' }],
    ['line_executions', { run: run.uuid, file: 'synthetic.py', line: CHECKPOINT_LINE, limit: 50 }],
    ['step', { run: run.uuid, event: middle, move: 'out' }],
    ['source', { run: run.uuid, file: 'synthetic.py' }],
  ]
  const timings = new Map<string, number>()
  for (const [name, args] of calls) {
    const label = name === 'search' ? `search ${String(args['query'])}` : name
    const times: number[] = []
    for (let pass = 0; pass < MCP_PASSES; pass++) {
      times.push(
        await time(async () => {
          const result = await client.callTool({ name, arguments: args })
          if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`)
        }),
      )
    }
    timings.set(label, median(times))
  }
  return timings
}

function pair(baseline: Map<string, number>, huge: Map<string, number>): DebugTiming[] {
  return [...huge].map(([operation, ms]) => ({
    operation,
    baseline: baseline.get(operation)!,
    huge: ms,
  }))
}

export async function measureDebug(options: DebugOptions): Promise<DebugFigures> {
  const folder = options.database ? null : mkdtempSync(join(tmpdir(), 'smiley-debug-'))
  const path = options.database ?? join(folder!, 'debug.db')
  try {
    const db = openDatabase(path, { create: true })
    const runs: Run[] = []
    try {
      for (const events of [BASELINE_EVENTS, options.events]) {
        process.stderr.write(`  writing ${events.toLocaleString('en-US')} events into ${path}…\n`)
        const uuid = writeSyntheticRun(db, events)
        const total = db
          .prepare('SELECT event_count FROM runs WHERE uuid = ?')
          .pluck()
          .get(uuid) as number
        runs.push({ uuid, total })
      }
    } finally {
      db.close()
    }
    const [baseline, huge] = runs as [Run, Run]
    process.stderr.write('  smiley dap…\n')
    // A first session on each run warms the file cache; it is not counted.
    await timeDap(path, baseline)
    const dapBaseline = await timeDap(path, baseline)
    await timeDap(path, huge)
    const dapHuge = await timeDap(path, huge)
    process.stderr.write('  smiley mcp…\n')
    const client = new Client({ name: 'smiley-bench', version: '1.0.0' })
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [SMILEY, 'mcp', '-d', path] }),
    )
    let mcpBaseline: Map<string, number>
    let mcpHuge: Map<string, number>
    try {
      await timeMcp(client, baseline)
      mcpBaseline = await timeMcp(client, baseline)
      await timeMcp(client, huge)
      mcpHuge = await timeMcp(client, huge)
    } finally {
      await client.close()
    }
    return {
      events: huge.total,
      baselineEvents: baseline.total,
      dap: pair(dapBaseline, dapHuge),
      mcp: pair(mcpBaseline, mcpHuge),
    }
  } finally {
    if (folder !== null && !options.keep) rmSync(folder, { recursive: true, force: true })
  }
}

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0))

export function formatDebug(figures: DebugFigures): string {
  const events = (n: number) => n.toLocaleString('en-US')
  const table = (title: string, rows: DebugTiming[]) => [
    `${title.padEnd(40)} ${'baseline'.padStart(9)} ${'huge'.padStart(9)} ${'ratio'.padStart(6)}`,
    ...rows.map(
      (row) =>
        `${row.operation.padEnd(40)} ${`${ms(row.baseline)} ms`.padStart(9)} ${`${ms(row.huge)} ms`.padStart(9)} ` +
        `${(row.huge / row.baseline).toFixed(2).padStart(6)}`,
    ),
  ]
  return [
    `debugging ${events(figures.events)} events (baseline: ${events(figures.baselineEvents)}), wall time through the real commands`,
    ...table('smiley dap, a stop with stack, scopes and locals', figures.dap),
    ...table('smiley mcp, a tool call', figures.mcp),
  ].join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const figures = await measureDebug(hugeRunOptions())
  process.stdout.write(`${formatDebug(figures)}\n`)
}
