/** The time-travel explorer's API on a real recording: moments, moves, questions, search, calls. */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type {
  CallGroup,
  CallNode,
  HistoryPage,
  LinePage,
  Moment,
  Move,
  SearchPage,
} from '../../shared/types/moment.js'
import type { Run } from '../../shared/types/run.js'
import { openDatabase, type Db } from '../../server/db/database.js'
import { BLOCK_EVENTS } from '../../server/ingest/event-blocks.js'
import { createApp } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import { ROOT, smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let db: Db
let app: ReturnType<typeof createApp>
let run: Run
let events: TraceEvent[]

/** Long enough for churn's frame to have events in several blocks. */
const LONG_LOOP = BLOCK_EVENTS * 2

async function json<T>(path: string, status = 200): Promise<T> {
  const res = await app.request(path, { headers: { host: '127.0.0.1:8080' } })
  expect(res.status, path).toBe(status)
  return (await res.json()) as T
}

const api = (path: string) => `/api/runs/${run.id}/${path}`

/** The one event `test` picks out; fails when there is not exactly one. */
function only(test: (event: TraceEvent) => boolean): TraceEvent {
  const found = events.filter(test)
  expect(found).toHaveLength(1)
  return found[0]!
}

/** A moment's call stack as [function, line] pairs, innermost first. */
const framesOf = (moment: Moment) => moment.stack.map((entry) => [entry.function, entry.line])

const at = (line: number, kind: TraceEvent['kind'] = 'line') =>
  events.filter((event) => event.line === line && event.kind === kind)

beforeAll(async () => {
  dir = tempDir()
  writePrograms(dir.path, {
    'prog.py': `def square(n):
    result = n * n
    return result


def total(limit):
    acc = 0
    for i in range(limit):
        acc = acc + square(i)
    return acc


def fail(code):
    message = "bad value %d" % code
    raise ValueError(message)


def churn(count):
    value = 0
    for step in range(count):
        value = (value * 31 + step) % 1000
        if step % 7 == 0:
            extra = step
        elif step % 7 == 3:
            extra = None
    return value


answer = total(4)
try:
    fail(42)
except ValueError as error:
    caught = str(error)
churned = churn(${LONG_LOOP})
print(answer, caught, churned)

def counter(limit):
    for count in range(limit):
        yield count

def first_of(source):
    return next(source)

numbers = counter(3)
started = next(numbers)
resumed = first_of(numbers)
`,
  })
  const path = join(dir.path, 'runs.db')
  const recorded = await smiley(['run', '-d', path, 'prog.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  db = openDatabase(path)
  app = createApp(new AppContext(db), {
    token: null,
    hosts: new Set(['127.0.0.1', 'localhost']),
    clientDir: join(ROOT, 'dist', 'client'),
  })
  run = (await json<Run[]>('/api/runs'))[0]!
  events = []
  for (let from = 1; from <= run.eventCount; from += 1000) {
    const page = await json<{ events: TraceEvent[] }>(api(`events?from=${from}&limit=1000`))
    events.push(...page.events)
  }
  expect(events).toHaveLength(run.eventCount)
})
afterAll(() => {
  db.close()
  dir.remove()
})

describe('the moment at an event', () => {
  it('has the frame variables as they were, and the call stack with each caller line', async () => {
    const returnAcc = only((e) => e.kind === 'line' && e.line === 10)
    const moment = await json<Moment>(api(`moment?seq=${returnAcc.seq}`))
    expect(moment.event.seq).toBe(returnAcc.seq)
    const variables = Object.fromEntries(moment.variables.map((v) => [v.name, v.value]))
    expect(variables).toEqual({ limit: '4', acc: '14', i: '3' })
    expect(framesOf(moment)).toEqual([
      ['total', 10],
      ['<module>', 29],
    ])
    expect(moment.fileId).toBe(moment.stack[0]!.fileId)
  })

  it('marks the variables that changed at that very event', async () => {
    const third = at(8)[3]! // `for i in range(limit)` after the third call: acc just became 5
    const moment = await json<Moment>(api(`moment?seq=${third.seq}`))
    const changed = moment.variables.filter((v) => v.changed).map((v) => [v.name, v.value])
    expect(changed).toEqual([['acc', '5']])
  })

  it('puts a resumed generator under whoever resumed it', async () => {
    const [started, resumed] = at(39) // `yield count`, in its first activation and its second
    const stackAt = async (seq: number) => framesOf(await json<Moment>(api(`moment?seq=${seq}`)))
    expect(await stackAt(started!.seq)).toEqual([
      ['counter', 39],
      ['<module>', 45],
    ])
    expect(await stackAt(resumed!.seq)).toEqual([
      ['counter', 39],
      ['first_of', 42],
      ['<module>', 46],
    ])
  })

  it('goes three frames deep inside square, each caller at the line of its call', async () => {
    const inside = at(2)[2]! // result = n * n, third call
    const moment = await json<Moment>(api(`moment?seq=${inside.seq}`))
    expect(framesOf(moment)).toEqual([
      ['square', 2],
      ['total', 9],
      ['<module>', 29],
    ])
    expect(Object.fromEntries(moment.variables.map((v) => [v.name, v.value]))).toEqual({ n: '2' })
  })

  it('rebuilds every moment of a long frame exactly, across the blocks it spans', async () => {
    const call = only((e) => e.kind === 'call' && e.function === 'churn')
    const state = new Map<string, string>()
    let checked = 0
    for (const event of events) {
      if (event.frame !== call.frame) continue
      for (const [name, value] of Object.entries(event.locals)) {
        if (value === null) state.delete(name)
        else state.set(name, value)
      }
      if (event.seq % 97 !== 0 && event.kind !== 'return') continue
      const moment = await json<Moment>(api(`moment?seq=${event.seq}`))
      const variables = Object.fromEntries(
        moment.variables.filter((v) => v.value !== null).map((v) => [v.name, v.value]),
      )
      expect(variables, `event ${event.seq}`).toEqual(Object.fromEntries(state))
      checked += 1
    }
    expect(checked).toBeGreaterThan(30)
    const blocks = db
      .prepare('SELECT count(*) FROM frame_blocks WHERE frame = ?')
      .pluck()
      .get(call.frame) as number
    expect(blocks).toBeGreaterThanOrEqual(5)
  })

  it('answers 404 for an event the run does not have, 400 for a malformed one', async () => {
    expect(await json(api(`moment?seq=${run.eventCount + 1}`), 404)).toEqual({
      error: `run ${run.id} has no event ${run.eventCount + 1}`,
    })
    expect(await json(api('moment?seq=first'), 400)).toEqual({
      error: 'seq must be a whole number',
    })
  })
})

describe('moves', () => {
  const move = async (seq: number, how: Move) =>
    (await json<{ seq: number | null }>(api(`move?seq=${seq}&move=${how}`))).seq

  it('steps to the next and previous events, and stops at the ends', async () => {
    expect(await move(10, 'next')).toBe(11)
    expect(await move(10, 'previous')).toBe(9)
    expect(await move(1, 'previous')).toBeNull()
    expect(await move(run.eventCount, 'next')).toBeNull()
  })

  it('steps over a call, forward and back', async () => {
    const callLine = at(9)[0]! // acc = acc + square(i), first time
    const after = await move(callLine.seq, 'over')
    expect(events[after! - 1]).toMatchObject({ function: 'total', line: 8 })
    expect(await move(after!, 'over-back')).toBe(callLine.seq)
  })

  it('steps out to the caller, and back out to the line that made the call', async () => {
    const inside = at(2)[1]! // result = n * n in the second call of square
    const out = await move(inside.seq, 'out')
    expect(events[out! - 1]).toMatchObject({ function: 'total', line: 8 })
    expect(events[out! - 1]!.locals).toEqual({ acc: '1' })
    const back = await move(inside.seq, 'out-back')
    expect(events[back! - 1]).toMatchObject({ function: 'total', line: 9, kind: 'line' })
    expect(back).toBeLessThan(inside.seq)
  })

  it('jumps to the call and the return of the current frame', async () => {
    const inside = at(2)[3]!
    const call = await move(inside.seq, 'call')
    expect(events[call! - 1]).toMatchObject({
      kind: 'call',
      function: 'square',
      frame: inside.frame,
    })
    const ret = await move(inside.seq, 'return')
    expect(events[ret! - 1]).toMatchObject({ kind: 'return', value: '9', frame: inside.frame })
  })

  it('rejects an unknown move', async () => {
    expect(await json(api('move?seq=1&move=sideways'), 400)).toEqual({
      error: 'move must be one of next, previous, over, over-back, out, out-back, call, return',
    })
  })
})

describe('line executions', () => {
  it('lists every execution of a line with the values of the names it uses', async () => {
    const fileId = (await json<Moment>(api('moment?seq=1'))).fileId!
    const page = await json<LinePage>(api(`lines?file=${fileId}&line=9`))
    expect(page.hits).toBe(4)
    expect(page.next).toBeNull()
    expect(page.executions.map((e) => e.seq)).toEqual(at(9).map((e) => e.seq))
    expect(page.executions.map((e) => e.values)).toEqual([
      { acc: '0', i: '0' },
      { acc: '0', i: '1' },
      { acc: '1', i: '2' },
      { acc: '5', i: '3' },
    ])
    expect(page.executions[0]).toMatchObject({ function: 'total', threadName: 'MainThread' })
  })

  it('pages: a limit, then where to go on', async () => {
    const fileId = (await json<Moment>(api('moment?seq=1'))).fileId!
    const first = await json<LinePage>(api(`lines?file=${fileId}&line=9&limit=3`))
    expect(first.executions).toHaveLength(3)
    const rest = await json<LinePage>(api(`lines?file=${fileId}&line=9&from=${first.next!}`))
    expect(rest.executions.map((e) => e.seq)).toEqual([at(9)[3]!.seq])
    expect(rest.next).toBeNull()
  })

  it('pages backwards from an event, each page in program order', async () => {
    const fileId = (await json<Moment>(api('moment?seq=1'))).fileId!
    const third = at(9)[2]!.seq
    const back = `lines?file=${fileId}&line=9&direction=backward&limit=2`
    const last = await json<LinePage>(api(`${back}&from=${third}`))
    expect(last.executions.map((e) => e.seq)).toEqual([at(9)[1]!.seq, third])
    const first = await json<LinePage>(api(`${back}&from=${last.next!}`))
    expect(first.executions.map((e) => e.seq)).toEqual([at(9)[0]!.seq])
    expect(first.next).toBeNull()
  })
})

describe('variable history', () => {
  it('lists every change of a variable in its frame', async () => {
    const call = only((e) => e.kind === 'call' && e.function === 'total')
    const page = await json<HistoryPage>(api(`history?frame=${call.frame}&name=acc`))
    expect(page.changes.map((c) => [c.value, c.line])).toEqual([
      ['0', 8],
      ['1', 8],
      ['5', 8],
      ['14', 8],
    ])
    expect(page.changes[0]!.type).toBe('int')
    expect(page.next).toBeNull()
  })

  it('records a deletion as a change to nothing', async () => {
    const module = only((e) => e.kind === 'call' && e.function === '<module>')
    const page = await json<HistoryPage>(api(`history?frame=${module.frame}&name=error`))
    expect(page.changes.map((c) => c.value)).toEqual(["ValueError('bad value 42')", null])
  })

  it('is empty for a name the run never had', async () => {
    expect(await json(api('history?frame=1&name=nothing_like_it'))).toEqual({
      changes: [],
      next: null,
    })
  })
})

describe('search', () => {
  const search = (query: string) => json<SearchPage>(api(`search?${query}`))

  it('finds the next exception from a cursor, then the one after', async () => {
    const first = await search(`q=${encodeURIComponent('kind:exception')}&from=1`)
    expect(first.matches).toHaveLength(1)
    expect(first.matches[0]).toMatchObject({ function: 'fail', value: 'bad value 42' })
    const second = await search(`q=kind:exception&from=${first.next}`)
    expect(second.matches[0]).toMatchObject({ function: '<module>', kind: 'exception' })
  })

  it('searches backwards', async () => {
    const page = await search(
      `q=fn:square+kind:return&from=${run.eventCount}&direction=backward&limit=10`,
    )
    expect(page.matches.map((e) => e.value)).toEqual(['9', '4', '1', '0'])
    expect(page.next).toBeNull()
  })

  it('combines a variable, a file and text in a value', async () => {
    const page = await search(`q=${encodeURIComponent('var:acc file:prog 14')}&limit=10`)
    expect(page.matches.map((e) => e.locals)).toEqual([{ acc: '14' }])
  })

  it('matches text without regard to case, only where it really is', async () => {
    const page = await search(`q=${encodeURIComponent('"BAD VALUE"')}&limit=10`)
    expect(page.matches.map((e) => e.kind)).toEqual([
      'line',
      'exception',
      'exception',
      'line',
      'line',
    ])
    expect(await search('q=var:absent')).toEqual({ matches: [], next: null })
  })

  it('rejects an unknown key', async () => {
    expect(await json(api('search?q=colour:red'), 400)).toEqual({
      error: 'unknown search key colour: (use fn, function, file, var, variable, kind)',
    })
  })
})

describe('the call tree', () => {
  it('groups the calls each frame made by function, with counts and times', async () => {
    const roots = await json<{ groups: CallGroup[] }>(api('calls'))
    expect(roots.groups.map((g) => [g.name, g.calls])).toEqual([['<module>', 1]])
    const module = roots.groups[0]!.first
    const children = await json<{ groups: CallGroup[] }>(api(`calls?parent=${module}`))
    expect(children.groups.map((g) => [g.name, g.calls])).toEqual([
      ['total', 1],
      ['fail', 1],
      ['churn', 1],
      ['counter', 1],
      ['first_of', 1],
    ])
    const total = children.groups[0]!
    const squares = await json<{ groups: CallGroup[] }>(api(`calls?parent=${total.first}`))
    expect(squares.groups).toMatchObject([{ name: 'square', calls: 4, running: 0 }])
    expect(squares.groups[0]!.micros).toBeGreaterThan(0)
  })

  it('lists the calls of a group a page at a time, linked to the trace', async () => {
    const total = only((e) => e.kind === 'call' && e.function === 'total')
    const [group] = (await json<{ groups: CallGroup[] }>(api(`calls?parent=${total.frame}`))).groups
    const query = `calls/group?parent=${total.frame}&function=${group!.function}`
    const first = await json<{ calls: CallNode[] }>(api(`${query}&limit=2`))
    expect(first.calls.map((c) => events[c.callSeq - 1]!.locals)).toEqual([{ n: '0' }, { n: '1' }])
    const last = first.calls.at(-1)!
    const rest = await json<{ calls: CallNode[] }>(api(`${query}&from=${last.frame + 1}`))
    expect(rest.calls).toHaveLength(2)
    expect(
      rest.calls.every((c) => c.children === 0 && events[c.endSeq! - 1]!.kind === 'return'),
    ).toBe(true)
    const back = await json<{ calls: CallNode[] }>(
      api(`${query}&from=${rest.calls[0]!.frame - 1}&direction=backward&limit=2`),
    )
    expect(back.calls.map((c) => c.frame)).toEqual(first.calls.map((c) => c.frame))
  })

  it('names the path from the outermost call down to a frame', async () => {
    const inside = at(2)[0]!
    const { path } = await json<{ path: Array<{ frame: number }> }>(
      api(`frames/${inside.frame}/path`),
    )
    expect(path.map((p) => events.find((e) => e.frame === p.frame)!.function)).toEqual([
      '<module>',
      'total',
      'square',
    ])
    expect(await json(api('frames/999999/path'), 404)).toEqual({
      error: `run ${run.id} has no frame 999999`,
    })
  })
})
