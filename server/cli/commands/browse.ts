/** Commands that read recorded runs in the terminal. */

import type { Command } from '../command.js'
import { listCommand } from './list.js'
import { replayCommand } from './replay.js'

export const browseCommands: Command[] = [listCommand, replayCommand]
