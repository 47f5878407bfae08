/** Commands that change or move what the database holds. */

import type { Command } from '../command.js'

export const manageCommands: Command[] = []
