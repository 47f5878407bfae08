/** Commands that read recorded runs in the terminal. */

import type { Command } from '../command.js'
import { listCommand } from './list.js'
import { replayCommand } from './replay.js'
import { showCommand } from './show.js'
import { statsCommand } from './stats.js'
import { tailCommand } from './tail.js'
import { threadsCommand } from './threads.js'
import { diffCommand } from './diff.js'

export const browseCommands: Command[] = [
  listCommand,
  showCommand,
  replayCommand,
  tailCommand,
  threadsCommand,
  diffCommand,
  statsCommand,
]
