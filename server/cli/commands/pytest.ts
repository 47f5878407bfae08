/**
 * `smiley pytest`: `smiley run --per-test -m pytest`, each test recorded as a run of its own
 * beside the session's run, and the runs of the tests that passed deleted as they end.
 */

import type { ParsedArgs } from '../args.js'
import type { Command, Exit } from '../command.js'
import { recordProgram } from './run.js'
import { runSpec } from './run-spec.js'

/** pytest-xdist's options: its workers are processes of their own, each recorded whole. */
const XDIST = /^(-n|--numprocesses\b)/

export const pytestCommand: Command = {
  spec: {
    name: 'pytest',
    summary: 'Run pytest and record each test as a run of its own, keeping those that failed.',
    usage: ['[smiley options] [PYTEST ARGS…]'],
    description: [
      'Runs python -m pytest with the given arguments under the recorder, as',
      '"smiley run --per-test -m pytest" does. Each test (its setup, call and teardown) is a run',
      'named by its node id, with its outcome, duration and failure; what happens outside tests',
      "(collection, fixtures of a wider scope) is the session's run. pytest's output and exit",
      'status are its own; at the end, one line names the run of each test that failed.',
      "Smiley's options come first: the first argument it does not know, and all after it, go to",
      'pytest (or put them after --).',
    ].join('\n'),
    options: runSpec.options.filter(
      (option) => !['module', 'code', 'per-test'].includes(option.name),
    ),
    positionals: [{ name: 'PYTEST ARGS', help: "pytest's own arguments", variadic: true }],
    optionsEndAtPositional: true,
    unknownOptionsEndOptions: true,
    examples: [
      'smiley pytest',
      'smiley pytest tests/test_parser.py -x',
      'smiley pytest --keep all -k "parse and not slow"',
      'smiley pytest --database /tmp/tests.db -- --lf',
    ],
  },

  run(args: ParsedArgs): Promise<Exit> {
    const given = args.positionals
    if (given.some((arg) => XDIST.test(arg)))
      process.stderr.write(
        args.options['noChildren']
          ? "smiley: pytest-xdist's workers (-n) are processes of their own, not recorded with --no-children: their tests are not recorded\n"
          : "smiley: pytest-xdist's workers (-n) are recorded as child runs of the session, each whole: their tests are not runs of their own\n",
      )
    return recordProgram(
      { kind: 'module', name: 'pytest', args: given },
      { ...args, options: { ...args.options, perTest: true } },
    )
  },
}
