/**
 * /api/runs/:id/timeline: a window of the run's calls over time, at a width in pixels, as
 * the Timeline tab draws it (see server/timeline/).
 */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import { Timeline } from '../../timeline/index.js'
import type { AppContext } from '../context.js'
import { integerParam, queryText } from '../params.js'

const MAX_TIME = Number.MAX_SAFE_INTEGER
/** Wider than any screen: a window's bars are bounded by its width. */
const MAX_WIDTH = 8192

export function timelineRoutes(ctx: AppContext) {
  return new Hono().get(
    '/:id/timeline',
    validator('query', (query) => ({
      from: queryText(query, 'from'),
      to: queryText(query, 'to'),
      width: integerParam(queryText(query, 'width'), 'width', 1000, 1, MAX_WIDTH),
      seq: queryText(query, 'seq'),
    })),
    async (c) => {
      const query = c.req.valid('query')
      const optional = (value: string | undefined, name: string, least: number) =>
        value === undefined ? undefined : integerParam(value, name, least, least, MAX_TIME)
      const window = {
        from: optional(query.from, 'from', 0),
        to: optional(query.to, 'to', 0),
        width: query.width,
        seq: optional(query.seq, 'seq', 1),
      }
      if (window.from !== undefined && window.to !== undefined && window.to <= window.from)
        throw new HTTPException(400, { message: 'to must be after from' })
      const { key, run, db } = await ctx.reading(c.req.param('id'))
      return c.json(Timeline.of(db).window({ key, run }, window))
    },
  )
}
