/** /api/compare/:a/:b: two runs compared, as `smiley diff --all --json` prints them. */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { findRun } from '../../db/runs.js'
import { badPattern, compareRuns } from '../../diff/index.js'
import type { AppContext } from '../context.js'

export function compareRoutes(ctx: AppContext) {
  // ?ignore=REGEX and ?ignoreName=NAME, each repeatable, as smiley diff's options.
  return new Hono().get('/:a/:b', async (c) => {
    const ignore = c.req.queries('ignore') ?? []
    const problem = badPattern(ignore)
    if (problem !== null) throw new HTTPException(400, { message: problem })
    const ignoreNames = c.req.queries('ignoreName') ?? []
    const first = await ctx.reading(c.req.param('a'))
    const other = await ctx.reading(c.req.param('b'))
    // Each run is read while the other is: the second through a connection of its own.
    const second = ctx.secondReader(other.db)
    const a = { db: first.db, stored: { key: first.key, run: first.run } }
    const b = { db: second, stored: findRun(second, other.run.id) }
    return c.json(compareRuns(a, b, { ignore, ignoreNames, all: true }))
  })
}
