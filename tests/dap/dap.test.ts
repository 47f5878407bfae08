/**
 * `smiley dap`: a scripted Debug Adapter Protocol client (Content-Length frames over stdio)
 * replays a recorded program, and every stop is checked against `replay --json`.
 */

import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import { smiley, tempDir } from '../support/cli.js'
import { DapClient } from '../support/dap-client.js'
import { writePrograms } from '../support/programs.js'
import { localsAt } from '../support/replay-locals.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

const PROGRAM = `
import threading

def describe(count, name):
    label = f"{name}:{count}"
    return label

def risky(value):
    if value > 2:
        raise ValueError(f"too big: {value}")
    return value * 10

def main():
    total = 0
    items = [1, 2, 3, 4]
    for count in items:
        total += count
        name = describe(count, "x")
        try:
            risky(count)
        except ValueError:
            pass
    return total

main()
helper = threading.Thread(target=describe, args=(9, "t"), name="helper")
helper.start()
helper.join()
risky(5)
`

let dir: { path: string; remove: () => void }
let db: string
let program: string
let events: TraceEvent[]
const clients: DapClient[] = []

beforeAll(async () => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, { 'counts.py': PROGRAM })
  program = join(dir.path, 'counts.py')
  const recorded = await smiley(['run', '-d', db, 'counts.py'], { cwd: dir.path })
  expect(recorded.code).toBe(1)
  const replay = await smiley(['replay', '--json', '-d', db, 'latest'])
  events = replay.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TraceEvent)
})
afterEach(() => {
  for (const client of clients.splice(0)) client.close()
})
afterAll(() => dir.remove())

/** The line events of `line` in `fn`, in order. */
function executions(fn: string, line: number, thread = 'MainThread'): TraceEvent[] {
  return events.filter(
    (e) => e.kind === 'line' && e.function === fn && e.line === line && e.threadName === thread,
  )
}

/** A session launched on the recording and configured; resolves at the stop on entry. */
async function started(
  configure: (client: DapClient) => Promise<void> = async () => {},
  launch: object = { run: 'latest', database: db },
): Promise<DapClient> {
  const client = new DapClient()
  clients.push(client)
  await client.ok('initialize', { adapterID: 'smiley', linesStartAt1: true, columnsStartAt1: true })
  const initialized = client.nextEvent('initialized')
  await client.ok('launch', launch)
  await initialized
  await configure(client)
  const before = client.events.length
  await client.ok('configurationDone')
  await client.nextEvent('stopped', before)
  return client
}

/** Where the client is stopped: the top frame's line and function, and its locals. */
async function where(client: DapClient, threadId: number) {
  const { stackFrames } = await client.ok('stackTrace', { threadId })
  const top = stackFrames[0]
  const { scopes } = await client.ok('scopes', { frameId: top.id })
  const { variables } = await client.ok('variables', {
    variablesReference: scopes[0].variablesReference,
  })
  const locals = Object.fromEntries(
    (variables as Array<{ name: string; value: string }>)
      .filter((v) => !v.name.startsWith('('))
      .map((v) => [v.name, v.value]),
  )
  return {
    line: top.line as number,
    name: top.name as string,
    frames: stackFrames,
    locals,
    variables,
  }
}

/** The event the client is stopped at (the name `__event__` says). */
async function seqOf(client: DapClient): Promise<number> {
  const { result } = await client.ok('evaluate', { expression: '__event__', context: 'repl' })
  return Number(result)
}

const MAIN = 1

describe('smiley dap', () => {
  it('says what it can do, and starts stopped at the first event', async () => {
    const client = new DapClient()
    clients.push(client)
    const capabilities = await client.ok('initialize', { adapterID: 'smiley' })
    expect(capabilities).toMatchObject({
      supportsStepBack: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsGotoTargetsRequest: true,
      supportsEvaluateForHovers: true,
      supportsConfigurationDoneRequest: true,
    })
    expect(
      capabilities.exceptionBreakpointFilters.map((f: { filter: string }) => f.filter),
    ).toEqual(['raised', 'uncaught'])
    const initialized = client.nextEvent('initialized')
    await client.ok('launch', { run: 'latest', database: db })
    await initialized
    const before = client.events.length
    await client.ok('configurationDone')
    const stopped = await client.nextEvent('stopped', before)
    expect(stopped.body).toMatchObject({ reason: 'entry', threadId: MAIN })
    expect(await seqOf(client)).toBe(1)
    const { threads } = await client.ok('threads')
    expect(threads.map((t: { name: string }) => t.name)).toEqual(['MainThread', 'helper'])
  })

  it('stops at a breakpoint with the locals of that moment, continues to the next hit and back to the previous', async () => {
    const hits = executions('main', 16)
    expect(hits).toHaveLength(4)
    let breakpoints: Array<{ verified: boolean; message?: string }> = []
    const client = await started(async (c) => {
      breakpoints = (
        await c.ok('setBreakpoints', {
          source: { path: program },
          breakpoints: [{ line: 16 }, { line: 2 }],
        })
      ).breakpoints
    })
    expect(breakpoints[0]!.verified).toBe(true)
    expect(breakpoints[1]).toMatchObject({
      verified: false,
      message: expect.stringContaining('line 2 never ran'),
    })

    const first = await client.moveTo('continue', { threadId: MAIN })
    expect(first.body).toMatchObject({ reason: 'breakpoint', threadId: MAIN })
    expect(await seqOf(client)).toBe(hits[0]!.seq)
    let here = await where(client, MAIN)
    expect(here).toMatchObject({ line: 16, name: 'main' })
    expect(here.locals).toEqual(localsAt(events, hits[0]!.seq))
    expect(here.locals).toMatchObject({ total: '0', count: '1', items: '[1, 2, 3, 4]' })
    expect(here.frames.map((f: { name: string; line: number }) => [f.name, f.line])).toEqual([
      ['main', 16],
      ['<module>', 24],
    ])

    // A list's items, from its recorded repr.
    const items = here.variables.find((v: { name: string }) => v.name === 'items')
    expect(items.variablesReference).toBeGreaterThan(0)
    const parts = await client.ok('variables', { variablesReference: items.variablesReference })
    expect(parts.variables.map((v: { name: string; value: string }) => [v.name, v.value])).toEqual([
      ['[0]', '1'],
      ['[1]', '2'],
      ['[2]', '3'],
      ['[3]', '4'],
    ])

    await client.moveTo('continue', { threadId: MAIN })
    expect(await seqOf(client)).toBe(hits[1]!.seq)
    here = await where(client, MAIN)
    expect(here.locals).toEqual(localsAt(events, hits[1]!.seq))
    expect(here.locals).toMatchObject({ total: '1', count: '2', name: "'x:1'" })

    const back = await client.moveTo('reverseContinue', { threadId: MAIN })
    expect(back.body.reason).toBe('breakpoint')
    expect(await seqOf(client)).toBe(hits[0]!.seq)
    // Back past the first hit: the start of the thread.
    const start = await client.moveTo('reverseContinue', { threadId: MAIN })
    expect(start.body.reason).toBe('entry')
    expect(await seqOf(client)).toBe(1)
  })

  it('steps over, back, in and out, as the recording ran', async () => {
    const call = executions('main', 17)[0]!
    const client = await started(async (c) => {
      await c.ok('setBreakpoints', { source: { path: program }, breakpoints: [{ line: 17 }] })
    })
    await client.moveTo('continue', { threadId: MAIN })
    expect(await seqOf(client)).toBe(call.seq)

    await client.moveTo('stepIn', { threadId: MAIN })
    let here = await where(client, MAIN)
    expect(here).toMatchObject({ name: 'describe', line: 3 })
    expect(here.locals).toEqual({ count: '1', name: "'x'" })
    expect(here.frames.map((f: { name: string; line: number }) => [f.name, f.line])).toEqual([
      ['describe', 3],
      ['main', 17],
      ['<module>', 24],
    ])

    await client.moveTo('next', { threadId: MAIN })
    expect((await where(client, MAIN)).line).toBe(4)
    await client.moveTo('next', { threadId: MAIN })
    here = await where(client, MAIN)
    expect(here.line).toBe(5)
    expect(here.locals).toMatchObject({ label: "'x:1'" })

    await client.moveTo('stepBack', { threadId: MAIN })
    here = await where(client, MAIN)
    expect(here.line).toBe(4)
    expect(here.locals).not.toHaveProperty('label')

    await client.moveTo('stepOut', { threadId: MAIN })
    here = await where(client, MAIN)
    const after = events.find((e) => e.function === 'main' && e.seq > call.seq)!
    expect(await seqOf(client)).toBe(after.seq)
    expect(here.name).toBe('main')
    expect(here.locals).toEqual(localsAt(events, after.seq))
    expect(here.locals['name']).toBe("'x:1'")

    // Over the call back to the line that made it.
    await client.moveTo('stepBack', { threadId: MAIN })
    expect(await seqOf(client)).toBe(call.seq)
  })

  it('stops only where a condition holds, on the Nth hit, and logs at logpoints without stopping', async () => {
    const hits = executions('main', 16)
    const labels = executions('describe', 4)
    let placed: Array<{ verified: boolean }> = []
    const client = await started(async (c) => {
      placed = (
        await c.ok('setBreakpoints', {
          source: { path: program },
          breakpoints: [
            { line: 16, condition: "count >= 3 and name == 'x:2'" },
            { line: 4, logMessage: 'label for {count} of {name}' },
            { line: 4, logMessage: 'count={count}, name={name}' },
          ],
        })
      ).breakpoints
    })
    expect(placed.map((bp) => bp.verified)).toEqual([true, true, true])
    const before = client.events.length
    await client.moveTo('continue', { threadId: MAIN })
    expect(await seqOf(client)).toBe(hits[2]!.seq)
    const logs = client.events
      .slice(before)
      .filter((e) => e.event === 'output' && e.body.category === 'console')
      .map((e) => e.body.output as string)
      .filter((text) => text.startsWith('count='))
    expect(logs).toEqual(['count=1, name=x\n', 'count=2, name=x\n'])
    expect(labels.length).toBeGreaterThan(2)

    const client2 = await started(async (c) => {
      await c.ok('setBreakpoints', {
        source: { path: program },
        breakpoints: [{ line: 16, hitCondition: '>= 3' }],
      })
    })
    await client2.moveTo('continue', { threadId: MAIN })
    expect(await seqOf(client2)).toBe(hits[2]!.seq)
    await client2.moveTo('continue', { threadId: MAIN })
    expect(await seqOf(client2)).toBe(hits[3]!.seq)
    await client2.moveTo('reverseContinue', { threadId: MAIN })
    expect(await seqOf(client2)).toBe(hits[2]!.seq)
  })

  it('answers a bad condition, log message or hit count with an unverified breakpoint, and a failing one with a message', async () => {
    let placed: Array<{ verified: boolean; message?: string }> = []
    const client = await started(async (c) => {
      placed = (
        await c.ok('setBreakpoints', {
          source: { path: program },
          breakpoints: [
            { line: 16, condition: 'count >' },
            { line: 16, condition: 'open(count)' },
            { line: 16, hitCondition: 'often' },
            { line: 4, logMessage: 'value {count' },
            { line: 13, condition: 'missing > 1' },
          ],
        })
      ).breakpoints
    })
    expect(placed.slice(0, 4).map((bp) => bp.verified)).toEqual([false, false, false, false])
    expect(placed[0]!.message).toMatch(/^invalid condition: /)
    expect(placed[2]!.message).toMatch(/^invalid hit count: /)
    expect(placed[3]!.message).toMatch(/^invalid log message: /)
    expect(placed[4]!.verified).toBe(true)
    const before = client.events.length
    const end = await client.moveTo('continue', { threadId: MAIN })
    expect(end.event).toBe('terminated')
    const problems = client.events
      .slice(before)
      .filter((e) => e.event === 'output' && e.body.category === 'stderr')
    expect(problems.map((e) => e.body.output)).toEqual([
      expect.stringContaining("name 'missing' is not defined here"),
    ])
  })

  it('goes to any execution of a line, and to any event', async () => {
    const hits = executions('main', 19)
    const client = await started()
    const { targets } = await client.ok('gotoTargets', { source: { path: program }, line: 19 })
    expect(targets.map((t: { id: number }) => t.id)).toEqual(hits.map((e) => e.seq))
    expect(targets[2].label).toContain('count=3')
    const stopped = await client.moveTo('goto', { threadId: MAIN, targetId: targets[2].id })
    expect(stopped.body.reason).toBe('goto')
    const here = await where(client, MAIN)
    expect(here.line).toBe(19)
    expect(here.locals).toEqual(localsAt(events, hits[2]!.seq))
    // Targets after the cursor come first, then those before it.
    const again = await client.ok('gotoTargets', { source: { path: program }, line: 19 })
    expect(again.targets.map((t: { id: number }) => t.id)).toEqual([
      hits[3]!.seq,
      hits[1]!.seq,
      hits[0]!.seq,
    ])
    const last = events.at(-1)!
    await client.moveTo('goto', { threadId: MAIN, targetId: last.seq })
    expect(await seqOf(client)).toBe(last.seq)
    const bad = await client.request('goto', { threadId: MAIN, targetId: last.seq + 1 })
    expect(bad).toMatchObject({
      success: false,
      message: `no event ${last.seq + 1} in this run (it has ${last.seq})`,
    })
  })

  it('stops at exceptions where they are raised, or only at the one that ended the program', async () => {
    const raises = events.filter((e) => e.kind === 'exception' && e.function === 'risky')
    expect(raises).toHaveLength(3)
    const client = await started(async (c) => {
      await c.ok('setExceptionBreakpoints', { filters: ['raised'] })
    })
    for (const raised of raises) {
      const stopped = await client.moveTo('continue', { threadId: MAIN })
      expect(stopped.body).toMatchObject({
        reason: 'exception',
        description: `ValueError: ${raised.value}`,
      })
      expect(await seqOf(client)).toBe(raised.seq)
      const info = await client.ok('exceptionInfo', { threadId: MAIN })
      expect(info).toMatchObject({ exceptionId: 'ValueError', description: raised.value })
    }
    // The uncaught one passes through <module> too: that is no new raise.
    expect((await client.moveTo('continue', { threadId: MAIN })).event).toBe('terminated')
    expect(client.events.find((e) => e.event === 'exited')!.body.exitCode).toBe(1)

    const uncaught = await started(async (c) => {
      await c.ok('setExceptionBreakpoints', { filters: ['uncaught'] })
    })
    const stopped = await uncaught.moveTo('continue', { threadId: MAIN })
    expect(stopped.body).toMatchObject({
      reason: 'exception',
      description: 'ValueError: too big: 5',
    })
    expect(await seqOf(uncaught)).toBe(raises[2]!.seq)
  })

  it('stops at the calls of a function, in the thread asked about', async () => {
    const calls = events.filter((e) => e.kind === 'call' && e.function === 'describe')
    const helper = calls.find((e) => e.threadName === 'helper')!
    const client = await started(async (c) => {
      const { breakpoints } = await c.ok('setFunctionBreakpoints', {
        breakpoints: [{ name: 'describe', condition: 'count > 1' }, { name: 'nothing' }],
      })
      expect(breakpoints.map((bp: { verified: boolean }) => bp.verified)).toEqual([true, false])
    })
    const stopped = await client.moveTo('continue', { threadId: MAIN })
    expect(stopped.body.reason).toBe('function breakpoint')
    expect((await where(client, MAIN)).locals).toEqual({ count: '2', name: "'x'" })
    const { threads } = await client.ok('threads')
    const helperId = threads.find((t: { name: string }) => t.name === 'helper').id
    await client.moveTo('continue', { threadId: helperId })
    expect(await seqOf(client)).toBe(helper.seq)
    expect((await where(client, helperId)).locals).toEqual({ count: '9', name: "'t'" })
    // The other thread, as it was at its last event before this moment.
    const main = events.filter((e) => e.threadName === 'MainThread' && e.seq < helper.seq).at(-1)!
    const other = await client.ok('stackTrace', { threadId: MAIN })
    expect(other.stackFrames.map((f: { name: string; line: number }) => [f.name, f.line])).toEqual([
      ['<module>', main.line],
    ])
    const { stackFrames: own } = await client.ok('stackTrace', { threadId: helperId })
    expect(own[0].id).not.toBe(other.stackFrames[0].id)
    const { scopes } = await client.ok('scopes', { frameId: other.stackFrames[0].id })
    const { variables } = await client.ok('variables', {
      variablesReference: scopes[0].variablesReference,
    })
    expect(variables.map((v: { name: string }) => v.name)).toContain('helper')
  })

  it('evaluates names and comparisons over the recorded values, for hovers and the console', async () => {
    const hit = executions('main', 17)[2]!
    const client = await started()
    await client.moveTo('goto', { threadId: MAIN, targetId: hit.seq })
    const { stackFrames } = await client.ok('stackTrace', { threadId: MAIN })
    const ask = (expression: string, context = 'watch') =>
      client.request('evaluate', { expression, frameId: stackFrames[0].id, context })
    expect((await ask('total', 'hover')).body.result).toBe('6')
    expect((await ask('total > 5 and count == 3')).body.result).toBe('True')
    expect((await ask("name in ('x:1', 'x:2')")).body.result).toBe('True')
    expect((await ask('len(items) == 4 and 5 not in items')).body.result).toBe('True')
    const items = await ask('items')
    expect(items.body).toMatchObject({ result: '[1, 2, 3, 4]' })
    expect(items.body.variablesReference).toBeGreaterThan(0)
    // The caller's frame sees its own names.
    const outer = await client.request('evaluate', {
      expression: 'total',
      frameId: stackFrames[1].id,
      context: 'watch',
    })
    expect(outer).toMatchObject({ success: false, message: "name 'total' is not defined here" })
    expect(await ask('total >')).toMatchObject({ success: false })
    expect((await ask("total < 'a'")).message).toContain('cannot order')
  })

  it('answers bad requests with an error and goes on', async () => {
    const client = new DapClient()
    clients.push(client)
    await client.ok('initialize', { adapterID: 'smiley' })
    expect(await client.request('threads')).toMatchObject({
      success: false,
      message: expect.stringContaining('launch first'),
    })
    expect(await client.request('fly')).toMatchObject({
      success: false,
      message: 'unknown request "fly"',
    })
    expect(await client.request('launch', { run: 'ffffffff', database: db })).toMatchObject({
      success: false,
      message: expect.stringContaining('no run with id ffffffff'),
    })
    expect(await client.request('launch', { database: join(dir.path, 'none.db') })).toMatchObject({
      success: false,
      message: expect.stringContaining('no database'),
    })
    expect(await client.request('launch', { run: 5 })).toMatchObject({
      success: false,
      message: 'launch: "run" must be a string',
    })
    client.writeRaw('Content-Length: 5\r\n\r\nnope!')
    client.writeRaw('X-Nothing: 1\r\n\r\n')
    await client.ok('launch', { run: 'latest', database: db })
    expect(
      await client.request('setExceptionBreakpoints', { filters: ['sometimes'] }),
    ).toMatchObject({ success: false })
    expect(await client.request('variables', { variablesReference: 999 })).toMatchObject({
      success: false,
    })
    expect(await client.request('scopes', { frameId: 99 })).toMatchObject({ success: false })
    expect(await client.request('next', { threadId: 77 })).toMatchObject({
      success: false,
      message: 'no thread 77 in this run',
    })
    expect(client.stderr).toContain('dropped a frame whose body is no JSON')
    expect(client.stderr).toContain('dropped a frame without Content-Length')
    await client.ok('disconnect')
    expect(await client.exited).toBe(0)
  })

  it('records a program given to launch, then replays its run', async () => {
    const fresh = store.database(dir.path, 'fresh')
    const client = await started(
      async (c) => {
        await c.ok('setBreakpoints', { source: { path: program }, breakpoints: [{ line: 10 }] })
      },
      { program: 'counts.py', cwd: dir.path, database: fresh },
    )
    const output = client.events
      .filter((e) => e.event === 'output')
      .map((e) => e.body.output)
      .join('')
    expect(output).toContain('ValueError: too big: 5')
    await client.moveTo('continue', { threadId: MAIN })
    expect((await where(client, MAIN)).locals).toEqual({ value: '1' })
    const runs = await smiley(['list', '--json', '-d', fresh])
    expect(JSON.parse(runs.stdout)).toHaveLength(1)
  })

  it('answers a program that cannot be recorded, or that ran no line, with why', async () => {
    writePrograms(dir.path, { 'broken.py': 'def broken(:\n    pass\n' })
    const client = new DapClient()
    clients.push(client)
    await client.ok('initialize', { adapterID: 'smiley' })
    const database = store.database(dir.path, 'broken')
    expect(
      await client.request('launch', { program: 'missing.py', cwd: dir.path, database }),
    ).toMatchObject({
      success: false,
      message: `launch: no program ${join(dir.path, 'missing.py')}`,
    })
    const broken = await client.request('launch', { program: 'broken.py', cwd: dir.path, database })
    expect(broken.success).toBe(false)
    expect(broken.message).toMatch(/^launch: run [0-9a-f]{8} has no events \(SyntaxError: /)
    const said = client.events
      .filter((e) => e.event === 'output')
      .map((e) => e.body.output)
      .join('')
    expect(said).toContain('SyntaxError')
  })

  it('shows a file changed since the run from its recorded text, and an unchanged one from disk', async () => {
    const original = 'value = 1\nvalue += 1\n'
    writePrograms(dir.path, { 'changing.py': original })
    const database = store.database(dir.path, 'changing')
    expect((await smiley(['run', '-d', database, 'changing.py'], { cwd: dir.path })).code).toBe(0)
    const look = async () => {
      const client = await started(async () => {}, { run: 'latest', database })
      const { stackFrames } = await client.ok('stackTrace', { threadId: MAIN })
      return { client, source: stackFrames[0].source }
    }
    const before = await look()
    expect(before.source).toEqual({ name: 'changing.py', path: join(dir.path, 'changing.py') })
    writePrograms(dir.path, { 'changing.py': '# edited since\n' + original })
    const after = await look()
    expect(after.source.sourceReference).toBeGreaterThan(0)
    const { content } = await after.client.ok('source', {
      source: after.source,
      sourceReference: after.source.sourceReference,
    })
    expect(content).toBe(original)
    expect(await after.client.request('source', { sourceReference: 999 })).toMatchObject({
      success: false,
      message: 'this run did not record that source',
    })
  })

  it('logs at every hit of a loop the values replay --json has there, a deleted one included', async () => {
    writePrograms(dir.path, {
      'loop.py': `
def churn(n):
    kept = []
    for i in range(n):
        if i % 3 == 0:
            extra = i * 2
        elif i % 3 == 1:
            del extra
        kept.append(i)
        last = i
    return kept

churn(40)
`,
    })
    const database = store.database(dir.path, 'loop')
    expect((await smiley(['run', '-d', database, 'loop.py'], { cwd: dir.path })).code).toBe(0)
    const replay = await smiley(['replay', '--json', '-d', database, 'latest'])
    const loop = replay.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceEvent)
    const hits = loop.filter((e) => e.kind === 'line' && e.line === 8)
    expect(hits).toHaveLength(40)
    const expected = hits.map((hit) => {
      const locals: Record<string, string> = {}
      for (const event of loop) {
        if (event.seq > hit.seq) break
        if (event.frame !== hit.frame) continue
        for (const [name, value] of Object.entries(event.locals))
          if (value === null) delete locals[name]
          else locals[name] = value
      }
      return `${hit.seq}: i=${locals['i']} extra=${locals['extra'] ?? '-'} kept=${locals['kept']}\n`
    })
    const client = await started(
      async (c) => {
        await c.ok('setBreakpoints', {
          source: { path: join(dir.path, 'loop.py') },
          breakpoints: [
            { line: 8, logMessage: 'i={i} extra={extra} kept={kept}' },
            { line: 10, condition: 'last == 39' },
          ],
        })
      },
      { run: 'latest', database },
    )
    const before = client.events.length
    await client.moveTo('continue', { threadId: MAIN })
    const logs = client.events
      .slice(before)
      .filter((e) => e.event === 'output' && e.body.data?.seq !== undefined)
      .map((e) => `${e.body.data.seq}: ${(e.body.output as string).replace(/<extra: [^>]*>/, '-')}`)
    expect(logs).toEqual(expected)
    expect((await where(client, MAIN)).locals['last']).toBe('39')
  })

  it('serves sessions on a loopback port with --port', async () => {
    const { connect } = await import('node:net')
    const client = new DapClient(['--port', '0'])
    clients.push(client)
    await expect
      .poll(() => client.stderr, { timeout: 10_000 })
      .toMatch(/listening on 127\.0\.0\.1:\d+/)
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(client.stderr)![1])
    const socket = connect(port, '127.0.0.1')
    const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: {} })
    socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
    let answer = ''
    await new Promise<void>((done) =>
      socket.on('data', (data) => {
        answer += data.toString()
        const length = /^Content-Length: (\d+)\r\n\r\n/.exec(answer)
        if (length && Buffer.byteLength(answer) >= length[0].length + Number(length[1])) done()
      }),
    )
    expect(JSON.parse(answer.slice(answer.indexOf('{'))).body.supportsStepBack).toBe(true)
    socket.destroy()
  })
})
