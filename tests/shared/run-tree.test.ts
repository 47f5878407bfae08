/** Runs as a tree of processes: children under their parent, oldest first, at any depth. */

import { describe, expect, it } from 'vitest'
import { nestRuns, processLabel } from '../../shared/run-tree.js'
import type { Run } from '../../shared/types/run.js'

function run(id: string, startedAt: number, parent?: string, startedBy = 'subprocess'): Run {
  return {
    id,
    description: id,
    argv: [],
    cwd: '',
    python: null,
    pythonVersion: null,
    host: null,
    pid: startedAt,
    backend: null,
    startedAt,
    endedAt: null,
    status: 'completed',
    exitCode: 0,
    signal: null,
    errorType: null,
    errorMessage: null,
    traceback: null,
    notice: null,
    eventCount: 0,
    lostEvents: 0,
    options: {},
    ...(parent !== undefined ? { process: { parent, startedBy } } : {}),
  }
}

describe('nestRuns', () => {
  it('puts each child under its parent, oldest first, keeping the order of the tops', () => {
    // Newest first, as smiley list gives them.
    const runs = [
      run('second', 50),
      run('b', 12, 'first'),
      run('grandchild', 13, 'a', 'fork'),
      run('a', 11, 'first'),
      run('first', 10),
    ]
    expect(nestRuns(runs).map(({ run, depth }) => `${depth}:${run.id}`)).toEqual([
      '0:second',
      '0:first',
      '1:a',
      '2:grandchild',
      '1:b',
    ])
  })

  it('shows a child whose parent is not listed (deleted, or past --limit) at the top', () => {
    const nested = nestRuns([run('orphan', 5, 'gone'), run('other', 4)])
    expect(nested.map(({ run, depth }) => `${depth}:${run.id}`)).toEqual(['0:orphan', '0:other'])
  })

  it('labels a child process by how it was started and its pid', () => {
    expect(processLabel(run('w', 7, 'p', 'multiprocessing-spawn'))).toBe(
      'multiprocessing-spawn, pid 7',
    )
    expect(processLabel(run('top', 1))).toBeNull()
  })
})
