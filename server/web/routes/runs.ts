/**
 * /api/runs: the list, one run, its files and sources, a test session's tests, and the child
 * processes a run started.
 */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import { childStarts } from '../../db/child-starts.js'
import { deleteRun } from '../../db/delete.js'
import { listFiles, readSource } from '../../db/files.js'
import { listRuns } from '../../db/runs.js'
import { listTests } from '../../db/tests.js'
import { listTasks } from '../../db/tasks.js'
import { listThreads } from '../../db/threads.js'
import type { AppContext } from '../context.js'
import { integerParam, queryText } from '../params.js'

export function runRoutes(ctx: AppContext) {
  return new Hono()
    .get(
      '/',
      validator('query', (query) => ({
        limit: integerParam(queryText(query, 'limit'), 'limit', 0, 0, 1_000_000),
        errors: queryText(query, 'errors') === '1',
      })),
      (c) => {
        const { limit, errors } = c.req.valid('query')
        return c.json(listRuns(ctx.db, { errorsOnly: errors, ...(limit ? { limit } : {}) }))
      },
    )
    .get('/:id', (c) => c.json(ctx.run(c.req.param('id')).run))
    .delete('/:id', (c) => {
      const { key, run } = ctx.run(c.req.param('id'))
      if (run.status === 'running' && c.req.query('force') !== '1') {
        throw new HTTPException(409, { message: `run ${run.id} is still being recorded` })
      }
      deleteRun(ctx.db, key)
      ctx.forget(key)
      return c.body(null, 204)
    })
    .get('/:id/threads', (c) => c.json(listThreads(ctx.db, ctx.run(c.req.param('id')).key)))
    .get('/:id/tasks', (c) => {
      const { key } = ctx.run(c.req.param('id'))
      return c.json(listTasks(ctx.db, key, ctx.namesOf(key)))
    })
    .get('/:id/child-starts', (c) => c.json(childStarts(ctx.db, ctx.run(c.req.param('id')).key)))
    .get('/:id/tests', (c) => c.json(listTests(ctx.db, ctx.run(c.req.param('id')).key)))
    .get('/:id/files', (c) => {
      const { key, run } = ctx.run(c.req.param('id'))
      return c.json(listFiles(ctx.db, key, run.cwd))
    })
    .get('/:id/files/:file', (c) => {
      const { key, run } = ctx.run(c.req.param('id'))
      const file = integerParam(c.req.param('file'), 'file', 0, 1, Number.MAX_SAFE_INTEGER)
      const source = readSource(ctx.db, key, file, run.cwd)
      if (source === undefined)
        throw new HTTPException(404, { message: `run ${run.id} has no file ${file}` })
      return c.json(source)
    })
}
