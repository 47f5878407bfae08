import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tracerEnv } from '../../server/record/launch.js'
import { FrameReader, WireError } from '../../shared/wire/frames.js'
import { dumps, loads, MarshalError } from '../../shared/wire/marshal.js'
import type { PyValue } from '../../shared/wire/marshal.js'
import { readDirectly, readRecords } from '../../shared/wire/record-reader.js'
import { parseRecord, TAG } from '../../shared/wire/records.js'
import { decodeUtf8 } from '../../shared/wire/utf8.js'

/**
 * Exercises every event and definition: calls, lines, locals long and short, non-ASCII text,
 * deleted variables, generators, exceptions, a second thread and asyncio tasks, with enough
 * events for batches that hold neither hello nor the end.
 */
const PROGRAM = `
import asyncio
import threading

async def child(n):
    await asyncio.sleep(0)
    return n

async def parent():
    first = asyncio.create_task(child(1), name="first")
    return await first + sum(await asyncio.gather(child(2), child(3)))

def count(limit):
    value = 0
    while value < limit:
        yield value
        value += 1

def fail(text):
    note = text * 3
    raise ValueError(note)

def main():
    words = ["café", "naïve", "x" * 60]
    total = sum(count(5000))
    long_text = "a" * 150
    long_text = long_text + "b"
    try:
        fail("ü")
    except ValueError as error:
        caught = str(error)
    del caught
    worker = threading.Thread(target=lambda: sum(count(3)))
    worker.start()
    worker.join()
    return total, len(words), long_text[-1]

print(main(), asyncio.run(parent()))
`

/** The payloads of the stream the tracer writes for PROGRAM, with the given accelerator. */
function recordPayloads(folder: string, accelerator: 'python' | 'native'): Uint8Array[] {
  const script = join(folder, 'program.py')
  writeFileSync(script, PROGRAM)
  const streamPath = join(folder, `${accelerator}.stream`)
  const out = openSync(streamPath, 'w')
  const result = spawnSync('python3', [script], {
    cwd: folder,
    env: tracerEnv({
      fd: 3,
      run: 'record-reader-test',
      pythonPath: null,
      maxRepr: 200,
      redact: true,
      profile: true,
      includeStdlib: false,
      includeSitePackages: false,
      includePackages: [],
      accelerator,
    }),
    stdio: ['ignore', 'pipe', 'pipe', out],
  })
  closeSync(out)
  if (result.status !== 0) throw new Error(`the program failed: ${String(result.stderr)}`)
  return new FrameReader().push(readFileSync(streamPath))
}

/** What the general path gives: every value through `loads`, every record through `parseRecord`. */
function generally(payload: Uint8Array) {
  return (loads(payload) as PyValue[]).map(parseRecord)
}

describe('readRecords', () => {
  let folder: string
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'smiley-record-reader-'))
  })
  afterAll(() => rmSync(folder, { recursive: true, force: true }))

  it("reads the pure-Python tracer's stream (marshal's back-references included) directly, as loads and parseRecord would", () => {
    const payloads = recordPayloads(folder, 'python')
    const records = payloads.flatMap((payload) => readRecords(payload))
    expect(records).toEqual(payloads.flatMap(generally))
    const tags = new Set(records.map((record) => record.tag))
    for (const tag of [
      TAG.call,
      TAG.line,
      TAG.return,
      TAG.yield,
      TAG.exception,
      TAG.symbol,
      TAG.task,
      TAG.await,
    ])
      expect(tags).toContain(tag)
    expect(records.some((record) => record.tag === TAG.call && record.task > 0)).toBe(true)
    // Only the frames holding hello, the profile or the end go the general way.
    const general = payloads.filter((payload) => readDirectly(payload, decodeUtf8) === null)
    for (const payload of general)
      expect(
        generally(payload).some((r) => [TAG.hello, TAG.profile, TAG.end].includes(r.tag as 16)),
      ).toBe(true)
    expect(general.length).toBeLessThan(payloads.length)
  })

  it("reads the native accelerator's stream directly, as loads and parseRecord would", () => {
    const payloads = recordPayloads(folder, 'native')
    const direct = payloads.filter((payload) => readDirectly(payload, decodeUtf8) !== null)
    expect(direct.length).toBeGreaterThan(0)
    expect(payloads.flatMap((payload) => readRecords(payload))).toEqual(payloads.flatMap(generally))
  })

  it('reads records with back-references to texts, ints and tuples of locals', () => {
    const payload = pythonMarshal(
      'locals = (1, 2, "abc"); t = "shared"; ' +
        'marshal.dumps([(1, 7, 11, 1.5, locals), (1, 7, 12, 2.5, locals), (20, 4, t), (20, 5, t)], 4)',
    )
    expect(readDirectly(payload, decodeUtf8)).not.toBeNull()
    expect(readRecords(payload)).toEqual(generally(payload))
    expect(readRecords(payload)[1]).toMatchObject({ changes: [1, 2, 'abc'], time: 2.5 })
  })

  it('reads payloads in forms it does not read directly the general way', () => {
    // dumps writes tuples with a 4-byte size and texts as 'u': not the tracer's usual forms.
    const payload = dumps([
      [TAG.line, 7, 11, 99.5, [1, 2, "'y'", 4, 0, null]],
      [TAG.thread, 1, 2n ** 40n, 'MainThread'],
    ])
    expect(readDirectly(payload, decodeUtf8)).toBeNull()
    expect(readRecords(payload)).toEqual([
      { tag: TAG.line, frame: 7, line: 11, time: 99.5, changes: [1, 2, "'y'", 4, 0, null] },
      { tag: TAG.thread, thread: 1, ident: 2 ** 40, name: 'MainThread' },
    ])
    // The same record twice: the second is a back-reference to the first tuple.
    const repeated = pythonMarshal('r = (20, 4, "t"); marshal.dumps([r, r], 4)')
    expect(readDirectly(repeated, decodeUtf8)).toBeNull()
    expect(readRecords(repeated)).toEqual([
      { tag: TAG.symbol, symbol: 4, text: 't' },
      { tag: TAG.symbol, symbol: 4, text: 't' },
    ])
  })

  it('says what is wrong with a malformed payload, as the general way does', () => {
    const wrongLength = pythonMarshal('marshal.dumps([(20, 4)], 4)')
    expect(() => readRecords(wrongLength)).toThrow(WireError)
    expect(() => readRecords(wrongLength)).toThrow(/record 20 has 2 fields, not 3/)
    const notAList = pythonMarshal('marshal.dumps({1: 2}, 4)')
    expect(() => readRecords(notAList)).toThrow(/did not hold a list of records/)
    const badLocals = pythonMarshal('marshal.dumps([(1, 7, 11, 1.5, (1, 2))], 4)')
    expect(() => readRecords(badLocals)).toThrow(/malformed locals/)
    const good = pythonMarshal('marshal.dumps([(1, 7, 11, 1.5, (1, 2, "abc"))], 4)')
    expect(() => readRecords(good.subarray(0, good.length - 2))).toThrow(MarshalError)
  })
})

/** The bytes CPython's marshal gives for `expression`, evaluated after `import marshal`. */
function pythonMarshal(statements: string): Uint8Array {
  const parts = statements.split('; ')
  const last = parts.pop()!
  const code = `import marshal, sys\n${parts.join('\n')}\nsys.stdout.buffer.write(${last})`
  const result = spawnSync('python3', ['-c', code])
  if (result.status !== 0) throw new Error(String(result.stderr))
  return Uint8Array.from(result.stdout)
}
