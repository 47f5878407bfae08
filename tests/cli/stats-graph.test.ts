/** `smiley stats graph`: a run's call graph as dot text or SVG, on stdout or in a file. */

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/database.js'
import { readProfile } from '../../server/db/profile.js'
import { findRun } from '../../server/db/runs.js'
import { callGraph, toDot } from '../../server/profile/callgraph.js'
import { smiley, tempDir, type Result } from '../support/cli.js'
import { writePrograms } from '../support/programs.js'

let dir: { path: string; remove: () => void }
let db: string
let quiet: string

const PROGRAM = `
def fibonacci(n):
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)

def squares(n):
    return sum(i * i for i in range(n))

def main():
    return fibonacci(18) + squares(20000)

main()
`

beforeAll(async () => {
  dir = tempDir()
  db = join(dir.path, 'runs.db')
  writePrograms(dir.path, { 'hot.py': PROGRAM, 'quiet.py': 'x = 1\n' })
  await smiley(['run', '-d', db, '--no-profile', 'quiet.py'], { cwd: dir.path })
  const result = await smiley(['run', '-d', db, 'hot.py'], { cwd: dir.path })
  expect(result.code, result.stderr).toBe(0)
  const runs = JSON.parse((await smiley(['list', '--json', '-d', db])).stdout) as Array<{
    id: string
  }>
  quiet = runs[1]!.id
})
afterAll(() => dir.remove())

function graph(...args: string[]): Promise<Result> {
  return smiley(['stats', 'graph', '-d', db, ...args])
}

function ok(result: Result): string {
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return result.stdout
}

function oneLineError(result: Result, code = 1): string {
  expect(result.code).toBe(code)
  expect(result.stderr).toMatch(/^smiley: [^\n]+\n$/)
  return result.stderr.trim()
}

/** Node lines and edge lines of a dot text. */
function shape(dot: string): { nodes: number; edges: number } {
  return {
    nodes: (dot.match(/^\t\d+ \[/gm) ?? []).length,
    edges: (dot.match(/^\t\d+ -> \d+ \[/gm) ?? []).length,
  }
}

describe('smiley stats graph', () => {
  it('prints the dot text of the call graph, the one callGraph and toDot make', async () => {
    const dot = ok(await graph('latest'))
    expect(dot).toMatch(/^digraph \{\n\tgraph \[fontname=Arial, nodesep=0\.125, ranksep=0\.25\];\n/)
    expect(dot).toMatch(/\n\}\n$/)
    expect(dot).toContain('label="hot:1:fibonacci\\n')
    expect(dot).toContain('label="hot:7:main\\n')
    const database = openDatabase(db, { readonly: true })
    try {
      const profile = readProfile(database, findRun(database, 'latest').key)!
      expect(dot).toBe(toDot(callGraph(profile)))
      // Nodes are named by the ids `stats show --json` gives the functions.
      const fibonacci = profile.functions.find((f) => f.name === 'fibonacci')!
      expect(dot).toContain(`\n\t${fibonacci.id} -> ${fibonacci.id} [`)
    } finally {
      database.close()
    }
  })

  it('draws SVG with --format svg, with the functions’ names in it', async () => {
    const svg = ok(await graph('--format', 'svg', 'latest'))
    expect(svg).toMatch(/^<\?xml /)
    // Python's XML parser takes it whole, and finds the labels among its texts.
    const texts = JSON.parse(
      execFileSync(
        'python3',
        [
          '-c',
          `
import json, sys
import xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
print(json.dumps([t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]))
`,
        ],
        { input: svg, encoding: 'utf8' },
      ),
    ) as string[]
    expect(texts).toContain('hot:1:fibonacci')
    expect(texts).toContain('hot:4:squares')
    expect(texts).toContain('hot:7:main')
  })

  it('writes the file -o names and says what it drew', async () => {
    const dotFile = join(dir.path, 'graph.dot')
    const said = ok(await graph('-o', dotFile, 'latest'))
    const written = readFileSync(dotFile, 'utf8')
    const { nodes, edges } = shape(written)
    const [, file, drawn, , calls] = /^wrote (.+): (\d+) of (\d+) functions, (\d+) calls\n$/.exec(
      said,
    )!
    expect([file, Number(drawn), Number(calls)]).toEqual([dotFile, nodes, edges])
    expect(written).toBe(ok(await graph('latest')))

    const svgFile = join(dir.path, 'graph.svg')
    ok(await graph('--format', 'svg', '--output', svgFile, 'latest'))
    expect(readFileSync(svgFile, 'utf8')).toMatch(/<svg [^]*hot:1:fibonacci[^]*<\/svg>\n?$/)
  })

  it('keeps more of the graph with lower thresholds, and less with higher ones', async () => {
    const normal = shape(ok(await graph('latest')))
    const everything = shape(ok(await graph('--node-thres', '0', '--edge-thres', '0', 'latest')))
    const hottest = shape(ok(await graph('-n', '50', 'latest')))
    const fewerCalls = shape(ok(await graph('-n', '0', '-e', '5', 'latest')))
    expect(everything.nodes).toBeGreaterThan(normal.nodes)
    expect(everything.edges).toBeGreaterThan(normal.edges)
    expect(hottest.nodes).toBeLessThan(normal.nodes)
    expect(hottest.nodes).toBeGreaterThan(0)
    expect(fewerCalls.nodes).toBe(everything.nodes)
    expect(fewerCalls.edges).toBeLessThan(everything.edges)
    // The defaults are gprof2dot's, 0.5 % and 0.1 %.
    expect(ok(await graph('-n', '0.5', '-e', '0.1', 'latest'))).toBe(ok(await graph('latest')))
  })

  it('says in one line what is wrong with a run, an option or the file', async () => {
    expect(oneLineError(await graph(quiet))).toBe(
      `smiley: run ${quiet.slice(0, 8)} has no profile: it was recorded with --no-profile`,
    )
    expect(oneLineError(await graph('ffffffff'))).toContain('ffffffff')
    expect(oneLineError(await graph('-n', 'lots', 'latest'), 2)).toBe(
      'smiley: option --node-thres needs a percentage from 0 to 100, not "lots"',
    )
    expect(oneLineError(await graph('--edge-thres', '100.5', 'latest'), 2)).toBe(
      'smiley: option --edge-thres needs a percentage from 0 to 100, not "100.5"',
    )
    oneLineError(await graph('-n', '-1', 'latest'), 2)
    expect(oneLineError(await graph('--format', 'png', 'latest'), 2)).toBe(
      'smiley: unknown format "png": use dot or svg',
    )
    const nowhere = join(dir.path, 'missing', 'graph.dot')
    expect(oneLineError(await graph('-o', nowhere, 'latest'))).toBe(
      `smiley: cannot write ${nowhere}: its folder does not exist`,
    )
    expect(oneLineError(await graph('-o', dir.path, 'latest'))).toBe(
      `smiley: cannot write ${dir.path}: it is a folder`,
    )
    oneLineError(await graph(), 2)
  })

  it('is listed among the stats commands', async () => {
    const help = ok(await smiley(['stats', '--help']))
    expect(help).toContain("graph   Draw a run's call graph, as gprof2dot draws it.")
    expect(ok(await graph('--help'))).toContain('-n, --node-thres PERCENT')
  })
})
