#!/bin/sh
':' //; SMILEY_IGNORED_SIGNALS=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status 2>/dev/null) exec node "$0" "$@"
// Started as a shell script, which tells Node which signals its caller ignored (Node resets
// them before any JavaScript runs): see server/record/ignored-signals.ts.
import { cli } from '../dist/server/cli/main.js'

await cli(process.argv.slice(2))
