"""Recorded events as stable text, for golden files: ids, times and addresses are left out
or renumbered, paths shortened, and each thread's events listed together (threads
interleave differently from one run to the next)."""

import os
import re

from harness import PROGRAMS

CALL, LINE, RETURN, EXCEPTION, YIELD = 0, 1, 2, 3, 4
HELLO, CODE, FILE, THREAD, SYMBOL, PROFILE, END, NOTICE = 16, 17, 18, 19, 20, 21, 22, 23
# What differs between runs or machines: addresses, thread idents, where modules live.
_SCRUB = [
    (re.compile(r"0x[0-9a-fA-F]+"), "0x…"),
    (re.compile(r"<module '([\w.]+)' from '[^']*'>"), r"<module '\1'>"),
]


def describe(records):
    """The text of a recording: one block per thread, one line per event, indented by depth."""
    symbols = {0: None}
    codes = {}
    files = {}
    threads = {}
    frames = {}  # frame id -> (code id, thread id)
    per_thread = {}
    end = None
    for record in records:
        tag = record[0]
        if tag == SYMBOL:
            symbols[record[1]] = record[2]
        elif tag == CODE:
            codes[record[1]] = (record[2], record[4])
        elif tag == FILE:
            files[record[1]] = record[2]
        elif tag == THREAD:
            threads[record[1]] = record[3]
        elif tag == END:
            end = record[1]
        elif tag in (CALL, LINE, RETURN, EXCEPTION, YIELD):
            frame = record[1]
            resumed = tag == CALL and frame in frames
            if tag == CALL:
                frames[frame] = (record[5], record[7], record[8])
            code, thread, depth = frames[frame]
            per_thread.setdefault(thread, []).append(_event(record, symbols, codes, files, depth, resumed))
    lines = []
    for thread in sorted(per_thread, key=lambda t: threads.get(t, "")):
        lines.append("[%s]" % threads.get(thread, "?"))
        lines.extend(per_thread[thread])
    if end is not None and "exception" in end:
        error = end["exception"]
        lines.append("[end] %s: %s" % (error["type"], error["message"]))
    text = "\n".join(lines) + "\n"
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


def _event(record, symbols, codes, files, depth, resumed):
    tag = record[0]
    indent = "  " * depth
    if tag == CALL:
        file_id, name = codes[record[5]]
        head = "%scall %s (%s:%d)" % (indent, name, os.path.relpath(files[file_id], PROGRAMS), record[2])
        changes = record[4]
        if resumed:
            head += " resumed"
    else:
        head = "%s%s %d" % (indent, {LINE: "line", RETURN: "return", EXCEPTION: "exception", YIELD: "yield"}[tag], record[2])
        changes = record[4]
    if changes:
        head += " | " + ", ".join(
            "%s=%s" % (symbols[changes[i]], "<deleted>" if changes[i + 1] == 0 else changes[i + 2])
            for i in range(0, len(changes), 3)
        )
    if tag in (RETURN, YIELD):
        head += " -> " + ("<unwound>" if record[5] == 0 else "%s %s" % (symbols[record[5]], record[6]))
    elif tag == EXCEPTION:
        head += " !! %s: %s" % (symbols[record[5]], record[6])
    return head


def line_events(records):
    """(thread name, file, line) of every line event, per thread name, in order."""
    threads = {}
    codes = {}
    files = {}
    frames = {}
    out = {}
    for record in records:
        tag = record[0]
        if tag == THREAD:
            threads[record[1]] = record[3]
        elif tag == CODE:
            codes[record[1]] = record[2]
        elif tag == FILE:
            files[record[1]] = record[2]
        elif tag == CALL:
            frames[record[1]] = (record[5], record[7])
        elif tag == LINE:
            code, thread = frames[record[1]]
            out.setdefault(threads[thread], []).append((os.path.basename(files[codes[code]]), record[2]))
    return out
