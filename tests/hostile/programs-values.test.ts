/**
 * Hostile values: whatever a program holds, recording it never disturbs the program, and each
 * value is recorded as well as it can be: reprs that raise, recurse, return no text or sleep,
 * structures that contain themselves or nest without end, ten million items, keys that are
 * tuples or objects, objects that refuse to be compared, hashed or asked what they are.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/cli.js'
import {
  defaultInterpreter,
  eventsOf,
  expectUntouched,
  label,
  recordProgram,
  someInterpreters,
  valuesOf,
  variants,
} from '../support/hostile-programs.js'

const VALUES = `
import collections, time

class Raises:
    def __repr__(self):
        raise ValueError("no repr for you")

class Recurses:
    def __repr__(self):
        return repr(self)

class NotText:
    def __repr__(self):
        return 42

class Slow:
    calls = 0
    def __repr__(self):
        Slow.calls += 1
        time.sleep(0.2)
        return "Slow()"

class BadEq:
    def __eq__(self, other):
        raise RuntimeError("eq")
    def __hash__(self):
        raise RuntimeError("hash")

class BadClass:
    @property
    def __class__(self):
        raise TypeError("no class")

class Hostile:
    def __getattribute__(self, name):
        raise AttributeError("nothing: " + name)
    def __getattr__(self, name):
        raise RuntimeError("really nothing: " + name)

def odd_values():
    raises = Raises()
    recurses = Recurses()
    not_text = NotText()
    slow = Slow()
    for step in range(3):
        step += 1
    slow_calls = Slow.calls
    bad_eq = BadEq()
    bad_class = BadClass()
    hostile = Hostile()
    for step in range(3):
        step += 1
    return raises, recurses, slow, bad_eq, bad_class, hostile

# Code from a string is not recorded: only what it builds is.
BUILD = """
nested = []
for _ in range(100000):
    nested = [nested]
chain = {}
link = chain
for _ in range(5000):
    link["next"] = {}
    link = link["next"]
deep_deque = collections.deque([1])
for _ in range(50):
    deep_deque = [deep_deque]
"""

def structures():
    circular = [1, 2]
    circular.append(circular)
    loop = {"a": 1}
    loop["self"] = loop
    keys = {(1, 2): "tuple", frozenset([3]): "frozen", Raises(): "object"}
    built = {}
    exec(BUILD, globals(), built)
    nested, chain, deep_deque = built["nested"], built["chain"], built["deep_deque"]
    nested.append(1)
    return len(keys)

def huge():
    big = list(range(10_000_000))
    big[0] = -1
    return len(big)

print(len(odd_values()), structures(), huge())
`

/** A class whose metaclass defines __eq__ alone: the class cannot be hashed. */
const UNHASHABLE_CLASS = `
class Meta(type):
    def __eq__(cls, other):
        return cls is other

class Odd(metaclass=Meta):
    pass

def before():
    seen = 1
    return seen

before()
odd = Odd()
after = 2
print("done", after)
`

const pythons = someInterpreters()
let dir: { path: string; remove: () => void }

beforeAll(() => {
  dir = tempDir()
})
afterAll(() => dir.remove())

const ADDRESS = '0x[0-9a-f]+'

describe.concurrent('hostile values', () => {
  it.for(variants(pythons).map((variant) => [label(variant), variant] as const))(
    'are recorded without disturbing the program (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `values ${name}`,
        variant,
        { 'values.py': VALUES },
        ['values.py'],
      )
      expectUntouched(recording)
      expect(recording.untraced.stdout).toBe('6 3 10000000\n')
      expect(recording.run).toMatchObject({ status: 'completed', exitCode: 0, notice: null })
      const { events } = recording
      const odd = eventsOf(events, 'odd_values')
      const first = (variable: string) => valuesOf(odd, variable)[0]
      // A __repr__ that does more than formatting (raises, sleeps) is never called: the object is
      // shown from its attributes. One that only formats is called, and its failure recorded.
      expect(first('raises')).toBe('Raises()')
      // Or, when rendering it took over 50 ms on a busy machine, as object.__repr__ shows it.
      expect(first('recurses')).toMatch(
        new RegExp(`^(<repr of Recurses failed: RecursionError>|<Recurses object at ${ADDRESS}>)$`),
      )
      expect(first('not_text')).toBe(
        '<repr of NotText failed: TypeError: __repr__ returned non-string (type int)>',
      )
      expect(first('slow')).toBe('Slow()')
      expect(first('slow_calls')).toBe('0')
      expect(first('bad_eq')).toMatch(new RegExp(`^<__main__.BadEq object at ${ADDRESS}>$`))
      expect(first('bad_class')).toMatch(new RegExp(`^<__main__.BadClass object at ${ADDRESS}>$`))
      expect(first('hostile')).toMatch(new RegExp(`^<__main__.Hostile object at ${ADDRESS}>$`))
      // Every line after them is still recorded, and the function's return value.
      expect(valuesOf(odd, 'step')).toEqual(['0', '1', '2', '3', '0', '1', '2', '3'])
      const returned = odd.at(-1)!
      expect(returned.kind).toBe('return')
      expect(returned.value).toMatch(/^\(Raises\(\), .*, Slow\(\), /)

      const built = eventsOf(events, 'structures')
      const last = (variable: string) => valuesOf(built, variable).at(-1)
      expect(last('circular')).toBe('[1, 2, [...]]')
      expect(last('loop')).toBe("{'a': 1, 'self': {...}}")
      expect(last('keys')).toBe("{(1, 2): 'tuple', frozenset({3}): 'frozen', Raises(): 'object'}")
      expect(last('nested')).toMatch(/^\[\[\[\[\[\[.*…\] \(1 items\)\]+, 1\]$/)
      expect(last('chain')).toMatch(/^\{'next': \{'next': .*\(1 items\)\}+$/)
      expect(last('deep_deque')).toMatch(/^\[\[\[\[.*\]$/)

      const big = valuesOf(eventsOf(events, 'huge'), 'big')
      expect(big).toHaveLength(2)
      expect(big[0]).toMatch(/^\[0, 1, 2, 3, .*, …\] \(10000000 items\)$/)
      expect(big[1]).toMatch(/^\[-1, 1, 2, 3, .*, …\] \(10000000 items\)$/)
      expect(eventsOf(events, 'huge').at(-1)).toMatchObject({ kind: 'return', value: '10000000' })
      const longest = Math.max(
        ...events.flatMap((event) => Object.values(event.locals).map((v) => v?.length ?? 0)),
      )
      expect(longest).toBeLessThanOrEqual(200)
    },
  )

  it.for(variants([defaultInterpreter()]).map((variant) => [label(variant), variant] as const))(
    'stop tracing, with one line, at a class that cannot be hashed (%s)',
    async ([name, variant]) => {
      const recording = await recordProgram(
        dir.path,
        `unhashable ${name}`,
        variant,
        { 'odd.py': UNHASHABLE_CLASS },
        ['odd.py'],
      )
      const said = "internal error: TypeError: unhashable type: 'Meta'"
      expectUntouched(
        recording,
        new RegExp(`^smiley: tracing stopped \\(${said}\\); the program continues untraced$`),
      )
      expect(recording.run).toMatchObject({
        status: 'completed',
        exitCode: 0,
        notice: `tracing stopped after an ${said}`,
      })
      expect(eventsOf(recording.events, 'before').at(-1)).toMatchObject({
        kind: 'return',
        value: '1',
      })
    },
  )
})
