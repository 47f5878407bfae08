/**
 * `smiley search`, `state`, `history`, and the filters of `replay` and `tail`: each checked
 * against what `replay --json` says the run did.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/types/event.js'
import type { Moment } from '../../shared/types/moment.js'
import { smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'
import { localsAt } from '../support/replay-locals.js'
import { storeUnderTest } from '../support/store-under-test.js'

const store = await storeUnderTest()

let dir: { path: string; remove: () => void }
let db: string
/** The whole run, as replay --json prints it. */
let events: TraceEvent[]

const PROGRAM = `
import threading

def tally(words):
    counts = {}
    total = 0
    for word in words:
        counts[word] = counts.get(word, 0) + 1
        total += len(word)
    return counts, total

def checked(value):
    if value < 0:
        raise ValueError(f"negative: {value}")
    return value

def worker():
    tally(["side", "thread"])

t = threading.Thread(target=worker, name="helper")
t.start()
t.join()
result = tally(["spam", "eggs", "spam"])
for n in (3, -1):
    try:
        checked(n)
    except ValueError as problem:
        message = str(problem)
`

beforeAll(async () => {
  dir = tempDir()
  db = store.database(dir.path)
  writePrograms(dir.path, { 'words.py': PROGRAM })
  const recorded = await smiley(['run', '-d', db, 'words.py'], { cwd: dir.path })
  expect(recorded.code, recorded.stderr).toBe(0)
  const replay = await smiley(['replay', '--json', '-d', db, 'latest'])
  events = replay.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TraceEvent)
})
afterAll(() => dir.remove())

function jsonLines(result: Result): TraceEvent[] {
  expect(result.code, result.stderr).toBe(0)
  return result.stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TraceEvent)
}

function oneLineError(result: Result, code: number): string {
  expect(result.code).toBe(code)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  return result.stderr.trim()
}

describe('smiley search', () => {
  it('prints the events a query matches, as replay --json has them', async () => {
    const found = jsonLines(
      await smiley(['search', '--json', '-d', db, 'latest', 'kind:exception']),
    )
    const expected = events.filter((event) => event.kind === 'exception')
    expect(expected.length).toBeGreaterThan(1)
    expect(found).toEqual(expected)
  })

  it('takes several words as one query, and narrows by function and variable', async () => {
    const found = jsonLines(
      await smiley(['search', '--json', '-d', db, 'latest', 'fn:tally', 'var:total']),
    )
    const expected = events.filter((event) => event.function === 'tally' && 'total' in event.locals)
    expect(found.map((event) => event.seq)).toEqual(expected.map((event) => event.seq))
  })

  it('stops after -n matches and starts at --from', async () => {
    const calls = events.filter((event) => event.kind === 'call')
    const from = calls[1]!.seq + 1
    const found = jsonLines(
      await smiley([
        'search',
        '--json',
        '-n',
        '2',
        '--from',
        String(from),
        '-d',
        db,
        'latest',
        'kind:call',
      ]),
    )
    expect(found.map((event) => event.seq)).toEqual(calls.slice(2, 4).map((event) => event.seq))
  })

  it('prints matches in the replay format, each with its event number', async () => {
    const result = await smiley(['search', '-d', db, 'latest', 'negative'])
    expect(result.code, result.stderr).toBe(0)
    const raised = events.find((event) => event.kind === 'exception')!
    expect(result.stdout).toContain(
      `${String(raised.seq).padStart(8)} words.py:  13:MainThread: exception>>> ValueError: negative: -1\n`,
    )
  })

  it('prints nothing for a query without a match, and one line for a query it cannot run', async () => {
    const none = await smiley(['search', '-d', db, 'latest', 'nosuchword'])
    expect(none).toMatchObject({ code: 0, stdout: '' })
    expect(oneLineError(await smiley(['search', '-d', db, 'latest', 'colour:red']), 2)).toContain(
      'unknown search key colour',
    )
    expect(oneLineError(await smiley(['search', '-d', db, 'latest', 'kind:jump']), 2)).toContain(
      'kind must be one of',
    )
    expect(oneLineError(await smiley(['search', '-d', db, 'nope', 'x']), 1)).toContain('nope')
  })
})

describe('smiley state', () => {
  it("prints the moment: the event's line in its source, the call's variables and the stack", async () => {
    const inner = events.find(
      (event) =>
        event.function === 'tally' &&
        event.kind === 'line' &&
        event.line === 8 &&
        event.threadName === 'MainThread',
    )!
    const result = await smiley(['state', '-d', db, 'latest', String(inner.seq)])
    expect(result.code, result.stderr).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toBe(
      `event ${inner.seq} of ${events.length}: line in tally, words.py:8, thread MainThread`,
    )
    expect(lines).toContain(`>  8          total += len(word)`)
    expect(lines).toContain(`   7          counts[word] = counts.get(word, 0) + 1`)
    for (const [name, value] of Object.entries(localsAt(events, inner.seq)))
      expect(result.stdout).toMatch(
        new RegExp(
          `\n  ${name} = ${value.replace(/[[\]{}()*+?.\\^$|]/g, '\\$&')}(  \\(changed\\))?\n`,
        ),
      )
    const stack = lines.slice(lines.indexOf('stack, innermost first') + 1).filter((l) => l !== '')
    expect(stack[0]).toMatch(new RegExp(`^  tally +words\\.py:8 +event ${inner.seq}$`))
    expect(stack[1]).toMatch(/^ {2}<module> +words\.py:22 +event \d+$/)
    expect(stack).toHaveLength(2)
  })

  it('prints the moment as JSON, its variables those replay --json adds up to', async () => {
    const inner = events
      .filter((event) => event.function === 'tally' && event.kind === 'line')
      .at(-1)!
    const result = await smiley(['state', '--json', '-d', db, 'latest', String(inner.seq)])
    expect(result.code, result.stderr).toBe(0)
    const moment = JSON.parse(result.stdout) as Moment
    expect(moment.event).toEqual(inner)
    expect(Object.fromEntries(moment.variables.map((v) => [v.name, v.value]))).toEqual(
      localsAt(events, inner.seq),
    )
  })

  it('refuses an event the run does not have, and a SEQ that is no number, in one line', async () => {
    expect(oneLineError(await smiley(['state', '-d', db, 'latest', '999999']), 1)).toContain(
      `has no event 999999 (it has ${events.length})`,
    )
    expect(oneLineError(await smiley(['state', '-d', db, 'latest', 'first']), 2)).toContain(
      '"first"',
    )
  })
})

describe('smiley history', () => {
  it('prints every value a variable took in the call, marking the one in force at SEQ', async () => {
    const calls = events.filter(
      (event) => event.function === 'tally' && event.threadName === 'MainThread',
    )
    const middle = calls[Math.floor(calls.length / 2)]!
    const changes = calls.filter((event) => 'total' in event.locals)
    const result = await smiley([
      'history',
      '--json',
      '-d',
      db,
      'latest',
      String(middle.seq),
      'total',
    ])
    expect(result.code, result.stderr).toBe(0)
    const history = JSON.parse(result.stdout) as Array<{ seq: number; value: string }>
    expect(history.map((change) => [change.seq, change.value])).toEqual(
      changes.map((event) => [event.seq, event.locals['total']]),
    )
    const text = await smiley(['history', '-d', db, 'latest', String(middle.seq), 'total'])
    const marked = text.stdout.split('\n').filter((line) => line.startsWith('>'))
    const current = changes.filter((event) => event.seq <= middle.seq).at(-1)!
    expect(marked).toEqual([
      expect.stringMatching(
        new RegExp(
          `^> event +${current.seq} +line +${current.line} {2}${current.locals['total']}$`,
        ),
      ),
    ])
  })

  it('says in one line that the call has no such variable', async () => {
    const seq = events.find((event) => event.function === 'checked')!.seq
    expect(
      oneLineError(await smiley(['history', '-d', db, 'latest', String(seq), 'total']), 1),
    ).toBe('smiley: checked has no variable total (at event ' + seq + ')')
  })
})

describe('replay and tail filters', () => {
  it('replay keeps one thread, up to an event', async () => {
    const last = events.filter((event) => event.threadName === 'helper').at(-2)!.seq
    const found = jsonLines(
      await smiley([
        'replay',
        '--json',
        '--thread',
        'helper',
        '--to',
        String(last),
        '-d',
        db,
        'latest',
      ]),
    )
    expect(found).toEqual(
      events.filter((event) => event.threadName === 'helper' && event.seq <= last),
    )
  })

  it('replay keeps functions and files whose names hold a text', async () => {
    const found = jsonLines(
      await smiley(['replay', '--json', '--function', 'CHECK', '-d', db, 'latest']),
    )
    expect(found).toEqual(events.filter((event) => event.function === 'checked'))
    const files = jsonLines(
      await smiley(['replay', '--json', '--file', 'nowhere', '-d', db, 'latest']),
    )
    expect(files).toEqual([])
    const both = jsonLines(
      await smiley([
        'replay',
        '--json',
        '--file',
        'words',
        '--function',
        'worker',
        '-d',
        db,
        'latest',
      ]),
    )
    expect(both).toEqual(events.filter((event) => event.function === 'worker'))
  })

  it('tail of an ended run takes the same filters', async () => {
    const to = events[Math.floor(events.length / 2)]!.seq
    const found = jsonLines(
      await smiley([
        'tail',
        '--json',
        '--to',
        String(to),
        '--function',
        'tally',
        '-d',
        db,
        'latest',
      ]),
    )
    expect(found).toEqual(events.filter((event) => event.function === 'tally' && event.seq <= to))
  })

  it('refuses a --to that is no number in one line', async () => {
    expect(oneLineError(await smiley(['replay', '--to', 'end', '-d', db, 'latest']), 2)).toContain(
      '--to',
    )
  })
})
