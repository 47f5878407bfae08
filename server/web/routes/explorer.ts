/**
 * The time-travel explorer's API under /api/runs/:id: the state at an event, moves between
 * events, every execution of a line, the history of a variable, search, and the call tree.
 */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import { QueryError, parseTraceQuery } from '../../../shared/trace-query.js'
import { MOVES } from '../../../shared/types/moment.js'
import { callGroups, framePath, groupCalls } from '../../db/calls.js'
import { momentAt, moveFrom } from '../../db/moments.js'
import { lineExecutions, variableHistory } from '../../db/questions.js'
import { searchEvents } from '../../db/search.js'
import { tracebackEvents } from '../../db/traceback.js'
import type { AppContext } from '../context.js'
import { choiceParam, integerParam, queryText } from '../params.js'

const MAX_ID = Number.MAX_SAFE_INTEGER
const DIRECTIONS = ['forward', 'backward'] as const

export function explorerRoutes(ctx: AppContext) {
  return new Hono()
    .get(
      '/:id/moment',
      validator('query', (query) => ({
        seq: integerParam(queryText(query, 'seq'), 'seq', 1, 1, MAX_ID),
      })),
      async (c) => {
        const { key, run, db, names } = await ctx.reading(c.req.param('id'))
        const { seq } = c.req.valid('query')
        const moment = momentAt(db, key, names, seq)
        if (moment === undefined)
          throw new HTTPException(404, { message: `run ${run.id} has no event ${seq}` })
        return c.json(moment)
      },
    )
    .get(
      '/:id/move',
      validator('query', (query) => ({
        seq: integerParam(queryText(query, 'seq'), 'seq', 1, 1, MAX_ID),
        move: choiceParam(queryText(query, 'move'), 'move', MOVES, 'next'),
        thread: queryText(query, 'thread'),
        task: queryText(query, 'task'),
      })),
      async (c) => {
        const { key, run, db } = await ctx.reading(c.req.param('id'))
        const { seq, move, thread, task } = c.req.valid('query')
        const lane = {
          ...(thread === undefined ? {} : { thread: integerParam(thread, 'thread', 0, 0, MAX_ID) }),
          ...(task === undefined ? {} : { task: integerParam(task, 'task', 0, 0, MAX_ID) }),
        }
        return c.json({ seq: moveFrom(db, key, seq, move, run.eventCount, lane) })
      },
    )
    .get(
      '/:id/lines',
      validator('query', (query) => ({
        file: integerParam(queryText(query, 'file'), 'file', 0, 1, MAX_ID),
        line: integerParam(queryText(query, 'line'), 'line', 0, 1, MAX_ID),
        from: integerParam(queryText(query, 'from'), 'from', 1, 1, MAX_ID),
        direction: choiceParam(queryText(query, 'direction'), 'direction', DIRECTIONS, 'forward'),
        limit: integerParam(queryText(query, 'limit'), 'limit', 100, 1, 1000),
      })),
      async (c) => {
        const { key, db, names } = await ctx.reading(c.req.param('id'))
        const { file, line, ...page } = c.req.valid('query')
        if (file === 0 || line === 0)
          throw new HTTPException(400, { message: 'file and line are required' })
        return c.json(lineExecutions(db, key, names, file, line, page))
      },
    )
    .get(
      '/:id/history',
      validator('query', (query) => ({
        frame: integerParam(queryText(query, 'frame'), 'frame', 0, 1, MAX_ID),
        name: queryText(query, 'name') ?? '',
        from: integerParam(queryText(query, 'from'), 'from', 1, 1, MAX_ID),
        limit: integerParam(queryText(query, 'limit'), 'limit', 100, 1, 1000),
      })),
      async (c) => {
        const { key, db, names } = await ctx.reading(c.req.param('id'))
        const { frame, name, from, limit } = c.req.valid('query')
        if (frame === 0 || name === '')
          throw new HTTPException(400, { message: 'frame and name are required' })
        return c.json(variableHistory(db, key, names, frame, name, from, limit))
      },
    )
    .get(
      '/:id/search',
      validator('query', (query) => {
        const text = queryText(query, 'q') ?? ''
        try {
          return {
            q: parseTraceQuery(text),
            from: integerParam(queryText(query, 'from'), 'from', 1, 0, MAX_ID),
            direction: choiceParam(
              queryText(query, 'direction'),
              'direction',
              DIRECTIONS,
              'forward',
            ),
            limit: integerParam(queryText(query, 'limit'), 'limit', 1, 1, 1000),
          }
        } catch (error) {
          if (error instanceof QueryError) throw new HTTPException(400, { message: error.message })
          throw error
        }
      }),
      async (c) => {
        const { key, run, db, names } = await ctx.reading(c.req.param('id'))
        const { q, ...page } = c.req.valid('query')
        const request = { ...page, query: q, total: run.eventCount }
        return c.json(searchEvents(db, key, names, request))
      },
    )
    .get('/:id/traceback', async (c) => {
      const { key, run, db, names } = await ctx.reading(c.req.param('id'))
      return c.json(tracebackEvents(db, key, names, run.traceback, run.eventCount))
    })
    .get(
      '/:id/calls',
      validator('query', (query) => ({
        parent: integerParam(queryText(query, 'parent'), 'parent', 0, 0, MAX_ID),
      })),
      async (c) => {
        const { key, db, names } = await ctx.reading(c.req.param('id'))
        const { parent } = c.req.valid('query')
        return c.json({ groups: callGroups(db, key, names, parent) })
      },
    )
    .get(
      '/:id/calls/group',
      validator('query', (query) => ({
        parent: integerParam(queryText(query, 'parent'), 'parent', 0, 0, MAX_ID),
        function: integerParam(queryText(query, 'function'), 'function', 0, 0, MAX_ID),
        from: integerParam(queryText(query, 'from'), 'from', 0, 0, MAX_ID),
        direction: choiceParam(queryText(query, 'direction'), 'direction', DIRECTIONS, 'forward'),
        limit: integerParam(queryText(query, 'limit'), 'limit', 100, 1, 1000),
      })),
      async (c) => {
        const { key, db } = await ctx.reading(c.req.param('id'))
        return c.json({ calls: groupCalls(db, key, c.req.valid('query')) })
      },
    )
    .get('/:id/frames/:frame/path', async (c) => {
      const { key, run, db } = await ctx.reading(c.req.param('id'))
      const frame = integerParam(c.req.param('frame'), 'frame', 0, 1, MAX_ID)
      const path = framePath(db, key, frame)
      if (path.length === 0)
        throw new HTTPException(404, { message: `run ${run.id} has no frame ${frame}` })
      return c.json({ path })
    })
}
