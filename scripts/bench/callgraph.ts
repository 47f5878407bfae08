/**
 * How long the call graph takes for a large profile: `callGraph` + `toDot` on a synthetic
 * profile of 5,000 functions (with gprof2dot's thresholds, and with none), then the SVG
 * rendering of the default graph. Best of several runs each. Then the server's side of the
 * stats page and the call graph page: the same profile stored in a database, and the API's
 * /profile and /callgraph answered through `app.request()`.
 *
 *     npx tsx scripts/bench/callgraph.ts [--functions N] [--runs K]
 */

import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openDatabase } from '../../server/db/database.js'
import { pstatsDict } from '../../server/db/profile.js'
import { createRun } from '../../server/db/runs.js'
import { storeProfile } from '../../server/ingest/profile.js'
import { callGraph, toDot } from '../../server/profile/callgraph.js'
import { renderSvg } from '../../server/profile/svg.js'
import { apiRoutes } from '../../server/web/app.js'
import { AppContext } from '../../server/web/context.js'
import type { Profile } from '../../shared/types/profile.js'
import { dumps, loads, type PyDict } from '../../shared/wire/marshal.js'
import { syntheticProfile } from './synthetic-profile.js'
import { benchRun } from './workloads.js'

export interface CallGraphBenchOptions {
  /** Functions in the synthetic profile. */
  functions: number
  /** Timed runs of each measurement; the fastest counts. */
  runs: number
}

/** Every time in milliseconds, the fastest of the runs. */
export interface CallGraphFigures {
  functions: number
  calls: number
  runs: number
  /** `callGraph` and `toDot` in the server's process, with and without thresholds. */
  graphs: Array<{
    thresholds: string
    nodes: number
    edges: number
    dotCharacters: number
    callGraph: number
    toDot: number
    both: number
  }>
  /** The default graph as SVG (what `smiley report` draws). */
  svg: { characters: number; firstRender: number; render: number }
  /** Server time of the requests the pages make, the profile read from the database. */
  api: {
    /** GET /api/runs/:id/profile: the stats page. */
    profile: number
    /** GET /api/runs/:id/callgraph: the call graph page, default thresholds. */
    callGraph: number
    /** The same with no thresholds (everything drawn). */
    callGraphEverything: number
  }
}

/**
 * The shortest of `runs` timings of `work`, in milliseconds, and its last result; after one
 * untimed run when `warm`, so the compiler has seen the code.
 */
async function best<T>(
  runs: number,
  work: () => T | Promise<T>,
  warm = true,
): Promise<[number, T]> {
  let fastest = Infinity
  let result: T | undefined = warm ? await work() : undefined
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now()
    result = await work()
    fastest = Math.min(fastest, performance.now() - start)
  }
  return [fastest, result!]
}

const THRESHOLDS = [
  ['gprof2dot thresholds (0.5 %, 0.1 %)', {}],
  ['no thresholds (everything)', { nodeThreshold: 0, edgeThreshold: 0 }],
] as const

/** The profile stored as a run's, as the ingest stores cProfile's; the API's times reading it. */
async function measureApi(profile: Profile, runs: number): Promise<CallGraphFigures['api']> {
  const folder = mkdtempSync(join(tmpdir(), 'smiley-callgraph-'))
  const db = openDatabase(join(folder, 'profile.db'), { create: true })
  try {
    const uuid = randomUUID()
    const key = createRun(db, benchRun('call graph bench', { uuid }))
    storeProfile(db, key, loads(dumps(pstatsDict(profile))) as PyDict)
    const api = apiRoutes(new AppContext(db))
    const get = async (path: string) => {
      const response = await api.request(`/runs/${uuid}/${path}`)
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
      return response.text()
    }
    return {
      profile: (await best(runs, () => get('profile')))[0],
      callGraph: (await best(runs, () => get('callgraph')))[0],
      callGraphEverything: (await best(runs, () => get('callgraph?node=0&edge=0')))[0],
    }
  } finally {
    db.close()
    rmSync(folder, { recursive: true, force: true })
  }
}

export async function measureCallGraph(options: CallGraphBenchOptions): Promise<CallGraphFigures> {
  const { runs } = options
  const profile = syntheticProfile(options.functions)
  const graphs: CallGraphFigures['graphs'] = []
  for (const [thresholds, settings] of THRESHOLDS) {
    const [graphTime, graph] = await best(runs, () => callGraph(profile, settings))
    const [dotTime, dot] = await best(runs, () => toDot(graph))
    const [bothTime] = await best(runs, () => toDot(callGraph(profile, settings)))
    graphs.push({
      thresholds,
      nodes: graph.nodes.length,
      edges: graph.edges.length,
      dotCharacters: dot.length,
      callGraph: graphTime,
      toDot: dotTime,
      both: bothTime,
    })
  }
  const dot = toDot(callGraph(profile))
  const [firstRender, svg] = await best(1, () => renderSvg(dot), false)
  const [render] = await best(Math.min(runs, 3), () => renderSvg(dot), false)
  return {
    functions: profile.functions.length,
    calls: profile.calls.length,
    runs,
    graphs,
    svg: { characters: svg.length, firstRender, render },
    api: await measureApi(profile, runs),
  }
}

export function formatCallGraph(figures: CallGraphFigures): string {
  const ms = (value: number) => `${value.toFixed(1).padStart(8)} ms`
  const lines = [
    `call graph of a synthetic profile: ${figures.functions} functions, ${figures.calls} calls; best of ${figures.runs} runs`,
  ]
  for (const graph of figures.graphs) {
    lines.push(
      `  ${graph.thresholds}: ${graph.nodes} nodes, ${graph.edges} edges, ${graph.dotCharacters} characters`,
      `    callGraph                     ${ms(graph.callGraph)}`,
      `    toDot                         ${ms(graph.toDot)}`,
      `    callGraph + toDot             ${ms(graph.both)}`,
    )
  }
  lines.push(
    `  SVG of the default graph: ${figures.svg.characters} characters`,
    `    first render (loads Graphviz) ${ms(figures.svg.firstRender)}`,
    `    render                        ${ms(figures.svg.render)}`,
    '  server time, the profile read from a database',
    `    GET profile (stats page)      ${ms(figures.api.profile)}`,
    `    GET callgraph (default)       ${ms(figures.api.callGraph)}`,
    `    GET callgraph, no thresholds  ${ms(figures.api.callGraphEverything)}`,
  )
  return lines.join('\n')
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      functions: { type: 'string', default: '5000' },
      runs: { type: 'string', default: '10' },
    },
  })
  const figures = await measureCallGraph({
    functions: Number(values.functions),
    runs: Number(values.runs),
  })
  process.stdout.write(formatCallGraph(figures) + '\n')
}
