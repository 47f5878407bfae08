"""argparse, copied into the project: options, subcommands, an error."""

import user_argparse

parser = user_argparse.ArgumentParser(prog="tool", description="A small tool.")
parser.add_argument("--count", type=int, default=1)
parser.add_argument("-v", "--verbose", action="store_true")
commands = parser.add_subparsers(dest="command")
greet = commands.add_parser("greet")
greet.add_argument("name")
print(parser.parse_args(["--count", "3", "-v", "greet", "world"]))
try:
    parser.parse_args(["--count", "x"])
except SystemExit as stop:
    print("exit", stop.code)
