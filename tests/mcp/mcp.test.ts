/**
 * `smiley mcp`: the MCP SDK's own client, over stdio, lists the tools and calls each one on a
 * real recording; every answer is checked against what `replay --json` and `list --json` say.
 */

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Run } from '../../shared/types/run.js'
import { SMILEY, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { localsAt } from '../support/replay-locals.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

const PROGRAM = `
def average(values):
    total = 0
    for value in values:
        total += value
    return total / len(values)

def report(groups):
    lines = []
    for name, values in groups.items():
        lines.append(f"{name}: {average(values)}")
    return lines

print(report({"a": [1, 2, 3], "b": [4], "c": []}))
`

let dir: { path: string; remove: () => void }
let db: string
let events: TraceEvent[]
let runs: Run[]
let client: Client

beforeAll(async () => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, {
    'ok.py': 'print(sum(range(5)))\n',
    'parent.py':
      'import subprocess, sys\nsubprocess.run([sys.executable, "ok.py"])\nprint("done")\n',
    'stats.py': PROGRAM,
    'test_small.py':
      'def test_adds():\n    assert 1 + 1 == 2\n\ndef test_halves():\n    assert 3 // 2 == 1.5\n',
  })
  await smiley(['pytest', '-d', db, '-q', '-p', 'no:cacheprovider', 'test_small.py'], {
    cwd: dir.path,
  })
  await smiley(['run', '-d', db, 'ok.py'], { cwd: dir.path })
  const failed = await smiley(['run', '-d', db, 'stats.py'], { cwd: dir.path })
  expect(failed.stderr).toContain('ZeroDivisionError')
  runs = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Run[]
  const replay = await smiley(['replay', '--json', '-d', db, runs[0]!.id])
  events = replay.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TraceEvent)
  client = new Client({ name: 'smiley-test', version: '1.0.0' })
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [SMILEY, 'mcp', '-d', db],
      stderr: 'pipe',
    }),
  )
}, 180_000)
afterAll(async () => {
  await client?.close()
  dir.remove()
})

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(name: string, args: Record<string, unknown>): Promise<any> {
  const result = await client.callTool({ name, arguments: args })
  const content = result.content as Array<{ type: string; text: string }>
  if (result.isError) throw new Error(content[0]!.text)
  const parsed = JSON.parse(content[0]!.text) as unknown
  expect(result.structuredContent).toEqual(parsed)
  return parsed
}

async function failure(name: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.callTool({ name, arguments: args })
  expect(result.isError).toBe(true)
  const text = (result.content as Array<{ text: string }>)[0]!.text
  expect(text).not.toContain('\n')
  return text
}

describe('smiley mcp', () => {
  it('lists its tools, each described for a model with a schema', async () => {
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      [
        'diff_runs',
        'line_executions',
        'list_runs',
        'run_summary',
        'search',
        'source',
        'state_at',
        'step',
        'variable_history',
      ].sort(),
    )
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(80)
      expect(tool.inputSchema.type).toBe('object')
    }
  })

  it('list_runs: the runs of list --json, filtered by status, test outcome and text', async () => {
    const all = await call('list_runs', {})
    expect(all.runs.map((run: { id: string }) => run.id)).toEqual(runs.map((run) => run.id))
    expect(all.runs[0]).toMatchObject({
      status: 'error',
      events: runs[0]!.eventCount,
      error: expect.stringContaining('ZeroDivisionError'),
    })
    const failed = await call('list_runs', { status: 'error' })
    expect(failed.runs.map((run: { id: string }) => run.id)).toEqual(
      runs.filter((run) => run.status === 'error').map((run) => run.id),
    )
    expect(failed.runs[0].id).toBe(runs[0]!.id)
    const byText = await call('list_runs', { text: 'OK.PY' })
    expect(byText.runs.map((run: { id: string }) => run.id)).toEqual([runs[1]!.id])
    expect(await failure('list_runs', { status: 'flaky' })).toMatch(/status/)
    const failing = await call('list_runs', { outcome: 'failed' })
    const test = runs.find((run) => run.test?.outcome === 'failed')!
    expect(failing.runs).toEqual([expect.objectContaining({ id: test.id, test: test.test })])
    expect(test.test!.id).toBe('test_small.py::test_halves')
  })

  it('run_summary: the exception with its traceback, each frame tied to its exception event', async () => {
    const summary = await call('run_summary', { run: runs[0]!.id.slice(0, 8) })
    expect(summary).toMatchObject({ id: runs[0]!.id, status: 'error', exitCode: 1 })
    expect(summary.exception.type).toBe('ZeroDivisionError')
    expect(summary.exception.traceback).toBe(runs[0]!.traceback)
    const raised = events.filter((event) => event.kind === 'exception')
    expect(
      summary.exception.frames.map((frame: { function: string; event: number }) => [
        frame.function,
        frame.event,
      ]),
    ).toEqual(
      ['<module>', 'report', 'average'].map((fn) => [
        fn,
        raised.find((event) => event.function === fn)!.seq,
      ]),
    )
    expect(summary.threads).toEqual([
      { name: 'MainThread', events: events.length, firstEvent: 1, lastEvent: events.length },
    ])
    expect(summary.files).toEqual([
      {
        path: 'stats.py',
        executedLines: expect.any(Number),
        lineRuns: events.filter((e) => e.kind === 'line').length,
      },
    ])
    expect(summary.hotFunctions.map((fn: { function: string }) => fn.function)).toEqual(
      expect.arrayContaining(['average', 'report']),
    )
    expect(await failure('run_summary', { run: 'feedface' })).toContain('no run with id feedface')
  })

  it('search: the events of the query, as replay --json has them', async () => {
    const found = await call('search', { run: 'latest', query: 'fn:average var:total' })
    expect(found.matches).toEqual(
      events.filter((e) => e.function === 'average' && 'total' in e.locals),
    )
    expect(found.next).toBeNull()
    const first = await call('search', { run: 'latest', query: 'kind:line', limit: 2, from: 5 })
    expect(first.matches).toEqual(events.filter((e) => e.kind === 'line' && e.seq >= 5).slice(0, 2))
    expect(first.next).toBe(first.matches[1].seq + 1)
    expect(await failure('search', { run: 'latest', query: 'when:now' })).toContain(
      'unknown search key when',
    )
  })

  it('state_at: the event, its source, the locals of that moment and the stack', async () => {
    const division = events.find(
      (e) => e.kind === 'line' && e.function === 'average' && e.source!.includes('return total'),
    )!
    const state = await call('state_at', { run: 'latest', event: division.seq, context: 1 })
    expect(state.event).toEqual(division)
    expect(state.source).toEqual([
      { line: 4, text: '        total += value', current: false },
      { line: 5, text: '    return total / len(values)', current: true },
      { line: 6, text: '', current: false },
    ])
    expect(
      Object.fromEntries(
        state.variables.map((v: { name: string; value: string }) => [v.name, v.value]),
      ),
    ).toEqual(localsAt(events, division.seq))
    expect(
      state.stack.map((s: { function: string; line: number }) => [s.function, s.line]),
    ).toEqual([
      ['average', 5],
      ['report', 10],
      ['<module>', 13],
    ])
    expect(await failure('state_at', { run: 'latest', event: events.length + 1 })).toContain(
      `has no event ${events.length + 1}`,
    )
  })

  it('state_at: the processes started right after the event, each with the run it was recorded as', async () => {
    const family = store.database(dir.path, 'family')
    const recorded = await smiley(['run', '-d', family, 'parent.py'], { cwd: dir.path })
    expect(recorded.code, recorded.stderr).toBe(0)
    const listed = JSON.parse((await smiley(['list', '--json', '-d', family])).stdout) as Run[]
    const parent = listed.find((run) => run.process === undefined)!
    const child = listed.find((run) => run.process !== undefined)!
    const replayed = (await smiley(['replay', '--json', '-d', family, parent.id])).stdout
    const started = replayed
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceEvent & { children?: unknown[] })
      .find((event) => event.children !== undefined)!
    const familyClient = new Client({ name: 'smiley-test', version: '1.0.0' })
    await familyClient.connect(
      new StdioClientTransport({ command: process.execPath, args: [SMILEY, 'mcp', '-d', family] }),
    )
    try {
      const state = async (event: number) => {
        const result = await familyClient.callTool({
          name: 'state_at',
          arguments: { run: parent.id, event },
        })
        return JSON.parse((result.content as Array<{ text: string }>)[0]!.text) as {
          children?: Array<{ pid: number; run: { id: string; description: string } | null }>
        }
      }
      const there = await state(started.seq)
      expect(there.children).toEqual(started.children)
      expect(there.children).toMatchObject([
        { pid: child.pid, run: { id: child.id, description: 'ok.py' } },
      ])
      expect((await state(started.seq - 1)).children).toBeUndefined()
    } finally {
      await familyClient.close()
    }
  })

  it('variable_history: every value of a variable in one call', async () => {
    const reportLine = events.filter((e) => e.function === 'report').at(-1)!
    const history = await call('variable_history', {
      run: 'latest',
      event: reportLine.seq,
      name: 'lines',
    })
    expect(history.function).toBe('report')
    expect(
      history.changes.map((c: { event: number; value: string }) => [c.event, c.value]),
    ).toEqual(
      events
        .filter((e) => e.frame === reportLine.frame && 'lines' in e.locals)
        .map((e) => [e.seq, e.locals['lines']]),
    )
  })

  it('line_executions: each run of a line with the values it used', async () => {
    const runsOf = events.filter((e) => e.kind === 'line' && e.line === 4)
    const page = await call('line_executions', { run: 'latest', file: 'stats.py', line: 4 })
    expect(page.timesRun).toBe(runsOf.length)
    expect(page.executions.map((x: { event: number }) => x.event)).toEqual(runsOf.map((e) => e.seq))
    expect(page.executions[1].values).toEqual({
      total: localsAt(events, runsOf[1]!.seq)['total'],
      value: localsAt(events, runsOf[1]!.seq)['value'],
    })
    expect(
      await failure('line_executions', { run: 'latest', file: 'nowhere.py', line: 1 }),
    ).toContain('nowhere.py')
  })

  it('step: the moves of the explorer, forwards and back', async () => {
    const call0 = events.find((e) => e.kind === 'call' && e.function === 'average')!
    const caller = events.filter((e) => e.function === 'report' && e.seq < call0.seq).at(-1)!
    const next = await call('step', { run: 'latest', event: call0.seq, move: 'next' })
    expect(next.event).toEqual(events[call0.seq]!)
    const back = await call('step', { run: 'latest', event: call0.seq, move: 'out-back' })
    expect(back.event).toEqual(caller)
    const over = await call('step', { run: 'latest', event: caller.seq, move: 'over' })
    expect(over.event).toEqual(events.find((e) => e.function === 'report' && e.seq > caller.seq))
    const none = await call('step', { run: 'latest', event: 1, move: 'previous' })
    expect(none.event).toBeNull()
    expect(await failure('step', { run: 'latest', event: 1, move: 'sideways' })).toMatch(/move/)
  })

  it('source: the file as it ran, with how often each line ran', async () => {
    const source = await call('source', { run: 'latest', file: 'stats.py', from: 2, to: 4 })
    const text = readFileSync(join(dir.path, 'stats.py'), 'utf8').split('\n')
    expect(source.lines.map((l: { text: string }) => l.text)).toEqual(text.slice(1, 4))
    expect(source.lines.map((l: { timesRun: number }) => l.timesRun)).toEqual(
      [2, 3, 4].map((line) => events.filter((e) => e.kind === 'line' && e.line === line).length),
    )
  })

  it('diff_runs: the comparison smiley diff --json makes', async () => {
    const [second, first] = runs
    const compared = await call('diff_runs', { a: first!.id, b: second!.id })
    const cli = await smiley(['diff', '--json', '-d', db, first!.id, second!.id])
    expect(cli.code).toBe(1)
    const expected = JSON.parse(cli.stdout) as { identical: boolean; summary: { calls: unknown[] } }
    expect(compared).toMatchObject({
      ...expected,
      summary: { ...expected.summary, calls: expected.summary.calls.slice(0, 30) },
    })
    expect(compared.identical).toBe(false)
    expect(await failure('diff_runs', { a: first!.id, b: second!.id, ignore: ['('] })).toMatch(
      /ignore/,
    )
  })

  it('reads runs as resources, and never writes the database', async () => {
    // SQLite: the file's bytes; PostgreSQL: every run as list --json shows it.
    const fingerprint = async () =>
      store.kind === 'sqlite'
        ? createHash('sha256').update(readFileSync(db)).digest('hex')
        : (await smiley(['list', '--json', '-d', db])).stdout
    const before = await fingerprint()
    const { resources } = await client.listResources()
    expect(resources.map((r) => r.uri)).toEqual(runs.map((run) => `smiley://runs/${run.id}`))
    const read = await client.readResource({ uri: `smiley://runs/${runs[0]!.id}` })
    const summary = JSON.parse((read.contents[0] as { text: string }).text)
    expect(summary).toEqual(await call('run_summary', { run: runs[0]!.id }))
    expect(await fingerprint()).toBe(before)
  })

  it('refuses a database that does not exist, in one line', async () => {
    const result = await smiley(['mcp', '-d', join(dir.path, 'none.db')])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^smiley: no database .*none\.db/)
  })
})
