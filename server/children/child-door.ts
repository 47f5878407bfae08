/**
 * Where a recording's child processes will connect, decided before anything listens there: a
 * Unix socket's path in a private folder, the token a child must say, and the variable that
 * announces both to the program. `smiley run` starts the interpreter with the announcement
 * first, and listens (child-recorder.ts) while the interpreter starts: no child can connect
 * before the program's first line, which waits for the recording to be ready (record/gate.ts).
 * Kept apart from the recorder so that this much loads without the database's modules.
 */

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildrenAnnouncement, TracerOptions } from '../../shared/wire/options.js'
import { nextPid } from './announced-processes.js'

export const CHILDREN_ENV = 'SMILEY_CHILDREN'

export class ChildDoor {
  /** Private to this user: mkdtemp makes it 0700. */
  readonly folder = mkdtempSync(join(tmpdir(), 'smiley-children-'))
  readonly token = randomBytes(16).toString('hex')
  /** Processes numbered from here on may carry the announcement (see announced-processes.ts). */
  readonly firstPid = nextPid()

  constructor(
    /** The options children record with (the parent's, without its own run or script). */
    readonly options: Partial<TracerOptions>,
  ) {}

  get socketPath(): string {
    return join(this.folder, 'children.sock')
  }

  /** The environment variable that makes every Python process started with it record here. */
  announcement(parent?: { run: string; pid: number }): Record<string, string> {
    const value: ChildrenAnnouncement = {
      socket: this.socketPath,
      token: this.token,
      options: this.options,
      ...(parent ? { parent: parent.run, pid: parent.pid } : {}),
    }
    return { [CHILDREN_ENV]: JSON.stringify(value) }
  }

  /** Nothing will listen here after all: the folder goes. */
  remove(): void {
    rmSync(this.folder, { recursive: true, force: true })
  }
}
