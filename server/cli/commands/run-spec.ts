/**
 * What `smiley run` takes: its usage, options and examples. Apart from the command itself so
 * that `smiley config` and `smiley pytest`, which read its options, load nothing of recording.
 */

import { DEFAULT_BUFFER_BYTES } from '../../remote/buffer-size.js'
import type { CommandSpec } from '../args.js'
import { databaseOption } from '../command.js'

export const runSpec: CommandSpec = {
  name: 'run',
  summary: 'Run a Python program and record everything it does.',
  usage: [
    '[options] [--] SCRIPT [ARGS…]',
    '[options] -m MODULE [ARGS…]',
    '[options] -c CODE [ARGS…]',
    '[options] - [ARGS…]   (the script from stdin)',
  ],
  description: [
    'Every line executed in your own code is recorded with the locals that changed, return',
    'values, exceptions and threads, plus cProfile statistics. The program keeps its own',
    'stdin, stdout, stderr and exit status. Options go before the script; everything after',
    'it is passed to the program.',
  ].join('\n'),
  options: [
    databaseOption,
    {
      name: 'module',
      short: 'm',
      kind: 'string',
      value: 'MODULE',
      help: 'run a library module as a script, like python -m',
      endsOptions: true,
    },
    {
      name: 'code',
      short: 'c',
      kind: 'string',
      value: 'CODE',
      help: 'run the program given as text, like python -c',
      endsOptions: true,
    },
    {
      name: 'python',
      kind: 'string',
      value: 'PATH',
      help: 'the interpreter to run (3.8 or newer)',
      default: 'python3',
      env: 'SMILEY_PYTHON',
    },
    {
      name: 'python-arg',
      kind: 'list',
      value: 'ARG',
      help: "one of the interpreter's own arguments, before the program (repeatable: --python-arg -X --python-arg dev)",
    },
    {
      name: 'description',
      kind: 'string',
      value: 'TEXT',
      help: 'how the run is listed (default: the command line)',
    },
    {
      name: 'max-repr',
      kind: 'integer',
      value: 'N',
      help: 'longest recorded value, in characters',
      default: 200,
      env: 'SMILEY_MAX_REPR',
    },
    {
      name: 'redact',
      kind: 'list',
      value: 'NAME|/REGEX/',
      help: 'also hide values of this name, or values (or parts of texts) matching REGEX',
    },
    {
      name: 'no-redact',
      kind: 'flag',
      help: 'record secrets too: values of secret names (password, token…) and secret-shaped values',
      env: 'SMILEY_NO_REDACT',
    },
    {
      name: 'call-repr',
      kind: 'flag',
      help: "show objects by their own __repr__, even the program's (it may block or change them)",
    },
    {
      name: 'include',
      kind: 'list',
      value: 'GLOB',
      help: 'record only the files whose path matches GLOB, wherever they are (repeatable)',
      env: 'SMILEY_INCLUDE',
    },
    {
      name: 'exclude',
      kind: 'list',
      value: 'GLOB',
      help: 'never record the files whose path matches GLOB (repeatable)',
      env: 'SMILEY_EXCLUDE',
    },
    {
      name: 'function',
      kind: 'list',
      value: 'NAME',
      help: 'record only inside calls of this function (name, Class.method or module.name), with all it calls (repeatable)',
      env: 'SMILEY_FUNCTION',
    },
    { name: 'no-profile', kind: 'flag', help: 'do not record cProfile statistics' },
    {
      name: 'no-children',
      kind: 'flag',
      help: 'record only this process, not the Python processes it starts',
    },
    { name: 'include-stdlib', kind: 'flag', help: 'record the standard library too' },
    { name: 'include-site-packages', kind: 'flag', help: 'record installed packages too' },
    {
      name: 'include-package',
      kind: 'list',
      value: 'NAME',
      help: 'record this installed package too',
    },
    {
      name: 'per-test',
      kind: 'flag',
      help: 'record each test (pytest, unittest) as a run of its own, beside the session',
    },
    {
      name: 'keep',
      kind: 'string',
      value: 'failed|all',
      help: "with --per-test, which tests' runs to keep: those that failed, or all",
      default: 'failed',
      env: 'SMILEY_KEEP',
    },
    {
      name: 'remote',
      kind: 'string',
      value: 'URL',
      help: 'send the run to "smiley record" or "smiley monitor" at URL, not to the database',
    },
    {
      name: 'token',
      kind: 'string',
      value: 'TOKEN',
      help: "the recorder's token, for --remote",
      env: 'SMILEY_TOKEN',
    },
    {
      name: 'remote-buffer',
      kind: 'integer',
      value: 'BYTES',
      help: 'most bytes held for a recorder that falls behind before events are dropped',
      default: DEFAULT_BUFFER_BYTES,
      hidden: true,
    },
    {
      name: 'settrace',
      kind: 'flag',
      help: 'use sys.settrace even on Python 3.12+',
      hidden: true,
    },
    {
      name: 'accelerator',
      kind: 'string',
      value: 'auto|native|python',
      help: "the tracer's native accelerator: auto (when it builds), native, or python (never)",
      default: 'auto',
    },
  ],
  positionals: [
    { name: 'SCRIPT', help: 'the Python file to run' },
    { name: 'ARGS', help: "the program's own arguments", variadic: true },
  ],
  optionsEndAtPositional: true,
  examples: [
    'smiley run prog.py --verbose input.txt',
    'smiley run -m http.server 8000',
    'smiley run -c "import json; print(json.dumps([1, 2]))"',
    'echo "print(42)" | smiley run -',
    'smiley run --python-arg -X --python-arg dev prog.py',
    'smiley run --include-package requests --max-repr 500 fetch.py',
    "smiley run --redact customer_id --redact '/acct-[0-9]{8}/' billing.py",
    'smiley run --database /tmp/trace.db -- prog.py',
    'SMILEY_TOKEN=… smiley run --remote http://build-box:8765 prog.py',
  ],
}
