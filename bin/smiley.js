#!/bin/sh
':' //; SMILEY_IGNORED_SIGNALS=; while IFS=': 	' read -r smiley_key smiley_value; do [ "$smiley_key" = SigIgn ] && SMILEY_IGNORED_SIGNALS=$smiley_value; done 2>/dev/null </proc/$$/status; SMILEY_IGNORED_SIGNALS=$SMILEY_IGNORED_SIGNALS exec node "$0" "$@"
// Started as a shell script, which tells Node which signals its caller ignored (Node resets
// them before any JavaScript runs): see server/record/ignored-signals.ts. Read with the
// shell's own builtins: a sed would cost a process more at every start.
// The command is bundled (scripts/bundle-cli.ts); its stack traces name the TypeScript sources
// when SMILEY_DEBUG asks for them.
if (process.env.SMILEY_DEBUG) process.setSourceMapsEnabled(true)
const { cli } = await import('../dist/cli/smiley.js')

await cli(process.argv.slice(2))
