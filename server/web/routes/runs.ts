/**
 * /api/runs: the list, one run, its threads, tasks, the child processes it started and a test
 * session's tests (all through the store, so on PostgreSQL too), and its files and sources
 * (through the run's reader: PostgreSQL's read cache).
 */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import { listFiles, readSource } from '../../db/files.js'
import { runTasks } from '../../store/run-tasks.js'
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
      async (c) => {
        const { limit, errors } = c.req.valid('query')
        return c.json(await ctx.store.listRuns({ errorsOnly: errors, ...(limit ? { limit } : {}) }))
      },
    )
    .get('/:id', async (c) => c.json((await ctx.find(c.req.param('id'))).run))
    .delete('/:id', async (c) => {
      const { key, run } = await ctx.find(c.req.param('id'))
      if (run.status === 'running' && c.req.query('force') !== '1') {
        throw new HTTPException(409, { message: `run ${run.id} is still being recorded` })
      }
      await ctx.store.deleteRun(key)
      ctx.forget(key)
      return c.body(null, 204)
    })
    .get('/:id/threads', async (c) =>
      c.json(await ctx.store.threads((await ctx.find(c.req.param('id'))).key)),
    )
    .get('/:id/tasks', async (c) =>
      c.json(await runTasks(ctx.store, (await ctx.find(c.req.param('id'))).key)),
    )
    .get('/:id/child-starts', async (c) =>
      c.json(await ctx.store.childStarts((await ctx.find(c.req.param('id'))).key)),
    )
    .get('/:id/tests', async (c) =>
      c.json(await ctx.store.sessionTests((await ctx.find(c.req.param('id'))).key)),
    )
    .get('/:id/files', async (c) => {
      const { key, run, db } = await ctx.reading(c.req.param('id'))
      return c.json(listFiles(db, key, run.cwd))
    })
    .get('/:id/files/:file', async (c) => {
      const { key, run, db } = await ctx.reading(c.req.param('id'))
      const file = integerParam(c.req.param('file'), 'file', 0, 1, Number.MAX_SAFE_INTEGER)
      const source = readSource(db, key, file, run.cwd)
      if (source === undefined)
        throw new HTTPException(404, { message: `run ${run.id} has no file ${file}` })
      return c.json(source)
    })
}
