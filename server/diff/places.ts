/**
 * What makes two events "the same place" in two runs that may come from different machines
 * and Python versions: the same kind, line and depth in the same function of the same file.
 * Files are matched by their path relative to the run's folder, then by the hash of their
 * content, then by their absolute path; a function by its file and qualified name. Each
 * place becomes one number, so the comparison compares numbers.
 */

import type { StoredEvent } from '../db/event-block.js'
import type { RunNames } from '../db/events.js'

const LINE_LIMIT = 2 ** 20
const DEPTH_LIMIT = 2 ** 10
const KINDS = 8

export interface RunSide {
  names: RunNames
  cwd: string
}

/** The path of a file as the comparison shows it: relative to the run's folder when inside it. */
export function shownPath(path: string, cwd: string): string {
  const folder = cwd.endsWith('/') ? cwd : `${cwd}/`
  return cwd !== '' && path.startsWith(folder) ? path.slice(folder.length) : path
}

/** The numbers of the functions of two runs: equal for the same function in both. */
export class Places {
  private readonly functionKeys: [Map<number, number>, Map<number, number>] = [new Map(), new Map()]
  private readonly fileKeys: [Map<number, number>, Map<number, number>]
  private readonly functionIds = new Map<string, number>()
  private readonly labels: Array<{ function: string; file: string }> = [
    { function: '?', file: '?' },
  ]

  constructor(private readonly sides: readonly [RunSide, RunSide]) {
    this.fileKeys = matchFiles(sides)
  }

  /** The number of function `fn` of run `side` (0: a run or 1: b); 0 for an unknown one. */
  function(side: 0 | 1, fn: number): number {
    let key = this.functionKeys[side].get(fn)
    if (key !== undefined) return key
    const { names } = this.sides[side]
    const info = names.function(fn)
    if (info === undefined) key = 0
    else {
      let file = this.fileKeys[side].get(info.file)
      if (file === undefined) {
        // A file the run met after the comparison began (it is still running): its own.
        file = (side + 1) * 1_000_000 + this.fileKeys[side].size
        this.fileKeys[side].set(info.file, file)
      }
      const name = `${file}\u0000${info.qualifiedName}`
      key = this.functionIds.get(name)
      if (key === undefined) {
        key = this.labels.length
        this.functionIds.set(name, key)
        const path = names.file(info.file)?.path ?? '?'
        this.labels.push({
          function: info.qualifiedName,
          file: shownPath(path, this.sides[side].cwd),
        })
      }
    }
    this.functionKeys[side].set(fn, key)
    return key
  }

  /** The function and file of a function number. */
  label(key: number): { function: string; file: string } {
    return this.labels[key] ?? this.labels[0]!
  }

  /** The place of `event` of run `side`, as one number. */
  place(side: 0 | 1, event: StoredEvent): number {
    const fn = this.function(side, event.function)
    const line = Math.min(event.line, LINE_LIMIT - 1)
    const depth = Math.min(event.depth, DEPTH_LIMIT - 1)
    return ((fn * LINE_LIMIT + line) * KINDS + event.kind) * DEPTH_LIMIT + depth
  }
}

/** File numbers of both runs: the same number for files matched as one. */
function matchFiles(
  sides: readonly [RunSide, RunSide],
): [Map<number, number>, Map<number, number>] {
  const files = sides.map(({ names, cwd }) =>
    names.fileList().map((file) => ({ ...file, relative: shownPath(file.path, cwd) })),
  )
  const [a, b] = [files[0]!, files[1]!]
  const keysA = new Map(a.map((file, index) => [file.id, index + 1]))
  const keysB = new Map<number, number>()
  const unmatched = new Set(a)
  const tries: Array<(x: (typeof a)[number], y: (typeof a)[number]) => boolean> = [
    (x, y) => x.relative === y.relative && x.relative !== x.path,
    (x, y) => x.sourceHash !== null && x.sourceHash === y.sourceHash,
    (x, y) => x.path === y.path,
  ]
  for (const same of tries) {
    for (const file of b) {
      if (keysB.has(file.id)) continue
      for (const candidate of unmatched) {
        if (!same(candidate, file)) continue
        keysB.set(file.id, keysA.get(candidate.id)!)
        unmatched.delete(candidate)
        break
      }
    }
  }
  let next = a.length + 1
  for (const file of b) if (!keysB.has(file.id)) keysB.set(file.id, next++)
  return [keysA, keysB]
}
