"""The event stream's wire format, version 1 (specified in shared/wire/README.md).

The stream starts with the magic ``SMLY`` and a version byte, then carries frames: a
little-endian uint32 payload length, then the payload, a ``marshal`` dump (format 4) of a
list of records. Every record is a tuple whose first item is its tag.
"""

import struct

MAGIC = b"SMLY"
VERSION = 1
HEADER = MAGIC + bytes([VERSION])
FRAME_LENGTH = struct.Struct("<I")
MARSHAL_VERSION = 4

# Events, in the order of the program (hot path: kept small and flat).
CALL = 0  # (CALL, frame, line, time, locals, code, parent_frame, thread, depth[, task]): task only when not 0
LINE = 1  # (LINE, frame, line, time, changes)
RETURN = 2  # (RETURN, frame, line, time, changes, value_type, value_text): the frame ends
EXCEPTION = 3  # (EXCEPTION, frame, line, time, changes, exception_type, message)
YIELD = 4  # (YIELD, frame, line, time, changes, value_type, value_text): a generator suspends

# Definitions, each sent once, before the first event that refers to it.
HELLO = 16  # (HELLO, info_dict)
CODE = 17  # (CODE, code, file, name, qualified_name, first_line)
FILE = 18  # (FILE, file, path, source_text_or_None)
THREAD = 19  # (THREAD, thread, ident, name)
SYMBOL = 20  # (SYMBOL, symbol, text)
PROFILE = 21  # (PROFILE, pstats_dict)
END = 22  # (END, info_dict)
NOTICE = 23  # (NOTICE, message)

# Tests (``smiley run --per-test``): one process, a run per test beside the session's own.
TEST = 25  # (TEST, test, info_dict): a test starts; the events after it are the test's
WITHIN = 26  # (WITHIN, test): the events after it are this test's (0: the session's)
OUTCOME = 27  # (OUTCOME, test, info_dict): the test has ended; the events after it are the session's

# Child processes (children.py): where in this run each one was started.
CHILD = 28  # (CHILD, pid, time): a child process was started here

# Asyncio tasks.
TASK = 29  # (TASK, task, name, thread): a task, defined before the first call that runs in it
AWAIT = 30  # (AWAIT, task, awaited_task): the first task suspends until the second is done

# ``changes`` and ``locals`` are None or a flat tuple of (name_symbol, type_symbol, text)
# triples. A deleted variable has type symbol 0 and text None. A RETURN whose frame is left
# by an exception has value type 0 and value text None.
DELETED = 0
