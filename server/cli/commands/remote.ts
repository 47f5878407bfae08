/** Commands that record or watch runs sent over the network. */

import type { Command } from '../command.js'
import { monitorCommand } from './monitor.js'
import { recordCommand } from './record.js'

export const remoteCommands: Command[] = [recordCommand, monitorCommand]
