/** /api/compare/:a/:b: two runs compared, as `smiley diff --all --json` prints them. */

import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { findRun } from '../../db/runs.js'
import { badPattern, compareRuns } from '../../diff/index.js'
import type { AppContext } from '../context.js'

export function compareRoutes(ctx: AppContext) {
  // ?ignore=REGEX and ?ignoreName=NAME, each repeatable, as smiley diff's options.
  return new Hono().get('/:a/:b', (c) => {
    const ignore = c.req.queries('ignore') ?? []
    const problem = badPattern(ignore)
    if (problem !== null) throw new HTTPException(400, { message: problem })
    const ignoreNames = c.req.queries('ignoreName') ?? []
    const second = ctx.secondReader()
    const a = { db: ctx.db, stored: ctx.run(c.req.param('a')) }
    const b = { db: second, stored: findRun(second, c.req.param('b')) }
    return c.json(compareRuns(a, b, { ignore, ignoreNames, all: true }))
  })
}
