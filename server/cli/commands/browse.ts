/** Commands that read recorded runs in the terminal. */

import type { Command } from '../command.js'
import { historyCommand } from './history.js'
import { listCommand } from './list.js'
import { replayCommand } from './replay.js'
import { searchCommand } from './search.js'
import { showCommand } from './show.js'
import { stateCommand } from './state.js'
import { statsCommand } from './stats.js'
import { tailCommand } from './tail.js'
import { threadsCommand } from './threads.js'
import { diffCommand } from './diff.js'

export const browseCommands: Command[] = [
  listCommand,
  showCommand,
  replayCommand,
  tailCommand,
  searchCommand,
  stateCommand,
  historyCommand,
  threadsCommand,
  diffCommand,
  statsCommand,
]
