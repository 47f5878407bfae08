/**
 * The call graph as gprof2dot draws a pstats profile: small profiles whose graph is worked out
 * by hand from gprof2dot's rules, and one real recording.
 */

import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/database.js'
import { readProfile } from '../../server/db/profile.js'
import { findRun } from '../../server/db/runs.js'
import { callGraph, toDot, type CallGraph } from '../../server/profile/callgraph.js'
import { hex, TEMPERATURE, weightColor } from '../../server/profile/colors.js'
import { fixed2, pstatsName } from '../../server/profile/python-text.js'
import type { Profile, ProfileCall, ProfileFunction } from '../../shared/types/profile.js'
import { smiley, tempDir } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

/** A function of /app/prog.py at line id × 10. */
function fn(
  id: number,
  name: string,
  totalTime: number,
  cumulativeTime: number,
  calls = 1,
  primitiveCalls = calls,
): ProfileFunction {
  return {
    id,
    file: '/app/prog.py',
    line: id * 10,
    name,
    primitiveCalls,
    calls,
    totalTime,
    cumulativeTime,
  }
}

function call(
  caller: number,
  callee: number,
  cumulativeTime: number,
  calls = 1,
  primitiveCalls = calls,
): ProfileCall {
  return { caller, callee, primitiveCalls, calls, totalTime: cumulativeTime, cumulativeTime }
}

function profile(functions: ProfileFunction[], calls: ProfileCall[]): Profile {
  return { functions, calls, totalTime: functions.reduce((sum, f) => sum + f.totalTime, 0) }
}

const nodeIds = (graph: CallGraph) => graph.nodes.map((n) => n.id)
const edgePairs = (graph: CallGraph) => graph.edges.map((e) => [e.caller, e.callee])

// Colours of the temperature map, worked out by hand from gprof2dot's HSL interpolation
// (dark blue hsl(2/3, 0.8, 0.25) to red hsl(0, 1, 0.5)) and its rounding to bytes.
const COLD = '#0d0d73'
const QUARTER = '#0c9393'
const HALF = '#0ab60a'
const HOT = '#ff0000'

const HEADER = [
  'digraph {',
  '\tgraph [fontname=Arial, nodesep=0.125, ranksep=0.25];',
  '\tnode [fontcolor=white, fontname=Arial, height=0, shape=box, style=filled, width=0];',
  '\tedge [fontname=Arial];',
]

describe('callGraph on profiles worked out by hand', () => {
  // a (4 s own) → b (2 s own) → c (2 s own): 8 s in all.
  const chain = profile(
    [fn(1, 'a', 4, 8), fn(2, 'b', 2, 4, 3), fn(3, 'c', 2, 2, 6)],
    [call(1, 2, 4, 3), call(2, 3, 2, 6)],
  )

  it('gives each function of a chain its share of the total time and of the own time', () => {
    const graph = callGraph(chain)
    expect(graph.totalTime).toBe(8)
    expect(graph.selfTime).toBe(8)
    expect(graph.nodes.map((n) => [n.id, n.totalRatio, n.selfRatio, n.calls])).toEqual([
      [1, 1, 0.5, 1],
      [2, 0.5, 0.25, 3],
      [3, 0.25, 0.25, 6],
    ])
    expect(graph.nodes.map((n) => n.label)).toEqual([
      ['prog:10:a', '100.00%', '(50.00%)', '1×'],
      ['prog:20:b', '50.00%', '(25.00%)', '3×'],
      ['prog:30:c', '25.00%', '(25.00%)', '6×'],
    ])
    expect(graph.edges.map((e) => [e.caller, e.callee, e.label])).toEqual([
      [1, 2, ['50.00%', '3×']],
      [2, 3, ['25.00%', '6×']],
    ])
  })

  it('colours and sizes nodes and edges by their weight on the temperature map', () => {
    const graph = callGraph(chain)
    expect(graph.nodes.map((n) => [n.color, n.fontColor, n.fontSize])).toEqual([
      [HOT, '#ffffff', 10],
      [HALF, '#ffffff', 10],
      [QUARTER, '#ffffff', 10],
    ])
    expect(graph.edges.map((e) => [e.color, e.penWidth, e.arrowSize])).toEqual([
      [HALF, 2, 0.5 * Math.SQRT2],
      [QUARTER, 1, 0.5],
    ])
    expect(hex(weightColor(TEMPERATURE, 0))).toBe(COLD)
    // Weights are clamped, as gprof2dot clamps them.
    expect(hex(weightColor(TEMPERATURE, -3))).toBe(COLD)
    expect(hex(weightColor(TEMPERATURE, 7))).toBe(HOT)
  })

  it('writes the dot text gprof2dot writes, each node followed by its calls', () => {
    expect(toDot(callGraph(chain))).toBe(
      [
        ...HEADER,
        `\t1 [color="${HOT}", fontcolor="#ffffff", fontsize="10.00", label="prog:10:a\\n100.00%\\n(50.00%)\\n1×", tooltip="/app/prog.py"];`,
        `\t1 -> 2 [arrowsize="0.71", color="${HALF}", fontcolor="${HALF}", fontsize="10.00", label="50.00%\\n3×", labeldistance="2.00", penwidth="2.00"];`,
        `\t2 [color="${HALF}", fontcolor="#ffffff", fontsize="10.00", label="prog:20:b\\n50.00%\\n(25.00%)\\n3×", tooltip="/app/prog.py"];`,
        `\t2 -> 3 [arrowsize="0.50", color="${QUARTER}", fontcolor="${QUARTER}", fontsize="10.00", label="25.00%\\n6×", labeldistance="1.00", penwidth="1.00"];`,
        `\t3 [color="${QUARTER}", fontcolor="#ffffff", fontsize="10.00", label="prog:30:c\\n25.00%\\n(25.00%)\\n6×", tooltip="/app/prog.py"];`,
        '}',
        '',
      ].join('\n'),
    )
  })

  it('draws a diamond with one node where two paths meet, in the order gprof2dot meets them', () => {
    // Listed bottom first: gprof2dot numbers each function of the file, then its callers, so
    // bottom, its callers left and right, then top (the caller of left).
    const diamond = profile(
      [fn(4, 'bottom', 6, 6, 2), fn(2, 'left', 2, 5), fn(3, 'right', 1, 4), fn(1, 'top', 1, 10)],
      [call(2, 4, 3), call(3, 4, 3), call(1, 2, 5), call(1, 3, 4)],
    )
    const graph = callGraph(diamond)
    expect(nodeIds(graph)).toEqual([4, 2, 3, 1])
    expect(edgePairs(graph)).toEqual([
      [2, 4],
      [3, 4],
      [1, 2],
      [1, 3],
    ])
    expect(graph.nodes.map((n) => n.label[1])).toEqual(['60.00%', '50.00%', '40.00%', '100.00%'])
    expect(graph.edges.map((e) => e.label[0])).toEqual(['30.00%', '30.00%', '50.00%', '40.00%'])
    const dot = toDot(graph)
    expect(dot.match(/^\t4 \[/gm)).toHaveLength(1)
    expect(dot.match(/ -> 4 \[/g)).toHaveLength(2)
  })

  it('draws direct recursion as an edge to itself, counted by primitive calls', () => {
    // factorial(5) from main: 5 calls, 1 primitive; its 4 calls to itself, of which cProfile's
    // callers tuple gives 3 in the second item, the one gprof2dot counts.
    const recursion = profile(
      [fn(1, 'main', 0.5, 1), fn(2, 'factorial', 0.5, 0.5, 5, 1)],
      [call(1, 2, 0.5), call(2, 2, 0.4, 4, 3)],
    )
    const graph = callGraph(recursion)
    expect(edgePairs(graph)).toEqual([
      [1, 2],
      [2, 2],
    ])
    expect(graph.nodes[1]!.label).toEqual(['prog:20:factorial', '50.00%', '(50.00%)', '5×'])
    expect(graph.edges[1]!.label).toEqual(['40.00%', '3×'])
    expect(toDot(graph)).toContain('\n\t2 -> 2 [arrowsize="0.63", ')
  })

  it('keeps the functions of a cycle apart, with cProfile’s own cumulative times', () => {
    // main → ping ⇄ pong. For pstats, gprof2dot neither merges a cycle nor spreads time
    // around it: cProfile's cumulative times already account for the recursion.
    const cycle = profile(
      [fn(1, 'main', 0.1, 1), fn(2, 'ping', 0.4, 0.9, 6, 1), fn(3, 'pong', 0.5, 0.8, 5, 5)],
      [call(1, 2, 0.9), call(3, 2, 0.7, 5), call(2, 3, 0.8, 5)],
    )
    const graph = callGraph(cycle)
    expect(nodeIds(graph)).toEqual([1, 2, 3])
    expect(edgePairs(graph)).toEqual([
      [1, 2],
      [2, 3],
      [3, 2],
    ])
    expect(graph.nodes.map((n) => n.label.slice(1))).toEqual([
      ['100.00%', '(10.00%)', '1×'],
      ['90.00%', '(40.00%)', '6×'],
      ['80.00%', '(50.00%)', '5×'],
    ])
    expect(graph.edges.map((e) => e.label)).toEqual([
      ['90.00%', '1×'],
      ['80.00%', '5×'],
      ['70.00%', '5×'],
    ])
  })

  it('leaves out a function under 0.5 % of the total time, with every call to and from it', () => {
    // 1000 s in all: 5 s is exactly 0.5 % and stays, 4 s is under it.
    const small = profile(
      [fn(1, 'main', 991, 1000), fn(2, 'edge', 1, 5), fn(3, 'under', 3, 4), fn(4, 'leaf', 5, 5)],
      [call(1, 2, 5), call(1, 3, 4), call(3, 4, 1), call(2, 4, 4)],
    )
    const graph = callGraph(small)
    expect(nodeIds(graph)).toEqual([1, 2, 4])
    expect(edgePairs(graph)).toEqual([
      [1, 2],
      [2, 4],
    ])
    expect(graph.functionCount).toBe(4)
    expect(graph.callCount).toBe(4)
    expect(nodeIds(callGraph(small, { nodeThreshold: 0 }))).toEqual([1, 2, 3, 4])
  })

  it('leaves out a call under 0.1 % of the total time, keeping both functions', () => {
    // 1000 s in all: a call of 1 s is exactly 0.1 % and stays, one of 0.9 s goes.
    const calls = profile(
      [fn(1, 'main', 980, 1000), fn(2, 'kept', 10, 10, 2), fn(3, 'other', 10, 10)],
      [call(1, 2, 9), call(3, 2, 1), call(1, 3, 10), call(2, 3, 0.9)],
    )
    const graph = callGraph(calls)
    expect(nodeIds(graph)).toEqual([1, 2, 3])
    expect(edgePairs(graph)).toEqual([
      [1, 2],
      [1, 3],
      [3, 2],
    ])
    expect(edgePairs(callGraph(calls, { edgeThreshold: 0.5 }))).toEqual([
      [1, 2],
      [1, 3],
    ])
    expect(edgePairs(callGraph(calls, { edgeThreshold: 0 }))).toHaveLength(4)
  })

  it('takes the longest cumulative time as the total when it exceeds the summed own time', () => {
    // Time cProfile could not attribute to any function (its own overhead, say) still counts.
    const graph = callGraph(profile([fn(1, 'main', 1, 4), fn(2, 'work', 1, 3)], [call(1, 2, 3)]))
    expect(graph.totalTime).toBe(4)
    expect(graph.selfTime).toBe(2)
    expect(graph.nodes.map((n) => [n.totalRatio, n.selfRatio])).toEqual([
      [1, 0.5],
      [0.75, 0.5],
    ])
  })

  it('draws every function at 100 % when nothing took measurable time, as gprof2dot does', () => {
    const graph = callGraph(profile([fn(1, 'main', 0, 0), fn(2, 'quick', 0, 0)], [call(1, 2, 0)]))
    expect(graph.nodes.map((n) => [n.label[1], n.label[2], n.color])).toEqual([
      ['100.00%', '(100.00%)', HOT],
      ['100.00%', '(100.00%)', HOT],
    ])
  })

  it('ignores calls that name functions the profile does not have', () => {
    const graph = callGraph(profile([fn(1, 'main', 1, 1)], [call(1, 9, 1), call(9, 1, 1)]))
    expect(graph.edges).toEqual([])
    expect(graph.callCount).toBe(0)
  })

  it('rejects thresholds that are not percentages', () => {
    const one = profile([fn(1, 'main', 1, 1)], [])
    expect(() => callGraph(one, { nodeThreshold: -1 })).toThrow(RangeError)
    expect(() => callGraph(one, { edgeThreshold: 101 })).toThrow(RangeError)
    expect(() => callGraph(one, { nodeThreshold: Number.NaN })).toThrow(/nodeThreshold/)
  })
})

describe('gprof2dot’s text', () => {
  it('names functions module:line:function, the module being the base name without extension', () => {
    expect(pstatsName('/app/shop/cart.py', 12, 'total')).toBe('cart:12:total')
    expect(pstatsName('~', 0, "<method 'append' of 'list' objects>")).toBe(
      "~:0:<method 'append' of 'list' objects>",
    )
    expect(pstatsName('<frozen importlib._bootstrap>', 1, 'f')).toBe('<frozen importlib:1:f')
    expect(pstatsName('/app/.hidden', 1, 'f')).toBe('.hidden:1:f')
    expect(pstatsName('/app.d/tool', 1, 'f')).toBe('tool:1:f')
    expect(pstatsName('/app/x.tar.gz', 1, 'f')).toBe('x.tar:1:f')
  })

  it('rounds a tie to even, as Python’s %.2f does', () => {
    expect([0.125, 0.375, 0.625, 2.875, 1.005, 0.5].map(fixed2)).toEqual([
      '0.12',
      '0.38',
      '0.62',
      '2.88',
      // 1.005 is really 1.00499999999999989…: not a tie.
      '1.00',
      '0.50',
    ])
    // An edge of 5/32 of the time has a pen width of exactly 0.625.
    const graph = callGraph(
      profile([fn(1, 'main', 0.84375, 1), fn(2, 'f', 0.15625, 0.15625)], [call(1, 2, 0.15625)]),
    )
    expect(toDot(graph)).toContain('labeldistance="0.62", penwidth="0.62"')
  })

  it('quotes and escapes what is not a plain word, and leaves plain words bare', () => {
    const odd: ProfileFunction = {
      ...fn(1, 'say "hi"\\\tnow', 1, 1),
      file: 'script',
    }
    const dot = toDot(callGraph(profile([odd], [])))
    expect(dot).toContain('label="script:10:say \\"hi\\"\\\\\\tnow\\n100.00%')
    expect(dot).toContain('tooltip=script];')
  })
})

describe('callGraph on a real recording', () => {
  let dir: { path: string; remove: () => void }
  let recorded: Profile

  beforeAll(async () => {
    dir = tempDir()
    writePrograms(dir.path, {
      'hot.py': `
def fibonacci(n):
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)

def squares(n):
    return sum(i * i for i in range(n))

def main():
    return fibonacci(20) + squares(20000)

main()
`,
    })
    const db = join(dir.path, 'runs.db')
    const result = await smiley(['run', '-d', db, 'hot.py'], { cwd: dir.path })
    expect(result.code, result.stderr).toBe(0)
    const database = openDatabase(db, { readonly: true })
    try {
      recorded = readProfile(database, findRun(database, 'latest').key)!
    } finally {
      database.close()
    }
  })
  afterAll(() => dir.remove())

  it('keeps the hot functions, with recursion, named by their profile ids', () => {
    const graph = callGraph(recorded)
    const byName = new Map(graph.nodes.map((n) => [n.name, n]))
    const fibonacci = byName.get('hot:1:fibonacci')!
    const main = byName.get('hot:7:main')!
    expect(fibonacci.calls).toBe(21891)
    expect(fibonacci.totalRatio).toBeGreaterThan(0.2)
    expect(byName.has('hot:4:squares')).toBe(true)
    expect(byName.has('hot:1:<module>')).toBe(true)
    for (const node of graph.nodes) {
      const f = recorded.functions.find((candidate) => candidate.id === node.id)!
      expect(pstatsName(f.file, f.line, f.name)).toBe(node.name)
    }
    expect(edgePairs(graph)).toContainEqual([main.id, fibonacci.id])
    expect(edgePairs(graph)).toContainEqual([fibonacci.id, fibonacci.id])
    expect(graph.nodes.length).toBeLessThan(recorded.functions.length)
    const dot = toDot(graph)
    expect(dot).toContain(`\n\t${fibonacci.id} -> ${fibonacci.id} [`)
    expect(dot).toContain('label="hot:1:fibonacci\\n')
  })
})
