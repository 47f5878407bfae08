/** /api/runs/:id/events: the trace, a page at a time, in either direction from a cursor. */

import { Hono } from 'hono'
import { validator } from 'hono/validator'
import { pageEvents } from '../../db/events.js'
import { findRun } from '../../db/runs.js'
import type { AppContext } from '../context.js'
import { choiceParam, integerParam, queryText } from '../params.js'

export const MAX_PAGE = 1000

export function eventRoutes(ctx: AppContext) {
  return new Hono().get(
    '/:id/events',
    validator('query', (query) => ({
      direction: choiceParam(
        queryText(query, 'direction'),
        'direction',
        ['forward', 'backward'] as const,
        'forward',
      ),
      from: queryText(query, 'from'),
      limit: integerParam(queryText(query, 'limit'), 'limit', 200, 1, MAX_PAGE),
      thread: queryText(query, 'thread'),
      task: queryText(query, 'task'),
    })),
    async (c) => {
      const { key, db, names, run: found } = await ctx.reading(c.req.param('id'))
      // One read transaction: the run and its page come from one moment of a run being
      // recorded, so a page never goes past the total it is sent with.
      const { run, events } = db.transaction(() => {
        const { run } = findRun(db, found.id)
        const { direction, limit, ...query } = c.req.valid('query')
        const last = direction === 'forward' ? 1 : run.eventCount
        const from = integerParam(query.from, 'from', last, 0, Number.MAX_SAFE_INTEGER)
        const thread =
          query.thread === undefined
            ? undefined
            : integerParam(query.thread, 'thread', 0, 0, Number.MAX_SAFE_INTEGER)
        const task =
          query.task === undefined
            ? undefined
            : integerParam(query.task, 'task', 0, 0, Number.MAX_SAFE_INTEGER)
        const events = pageEvents(db, key, names, {
          from,
          limit,
          direction,
          ...(thread === undefined ? {} : { thread }),
          ...(task === undefined ? {} : { task }),
        })
        return { run, events }
      })()
      return c.json({ events, total: run.eventCount, status: run.status })
    },
  )
}
