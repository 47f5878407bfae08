"""The stream's pipe: on Linux the tracer widens it, so that the program runs on while the
recorder is busy (committing a transaction) instead of waiting for each 64 KiB to be read."""

import os
import sys
import tempfile
import unittest

from harness import TRACER

sys.path.insert(0, TRACER)

from smiley_tracer import wire  # noqa: E402
from smiley_tracer.stream import PIPE_BYTES, Stream  # noqa: E402

F_GETPIPE_SZ = 1032


def pipe_limit():
    try:
        with open("/proc/sys/fs/pipe-max-size") as limit:
            return int(limit.read())
    except OSError:
        return None


@unittest.skipUnless(sys.platform.startswith("linux"), "pipe sizes are Linux's")
class PipeSizeTest(unittest.TestCase):
    def test_the_stream_widens_its_pipe_to_what_the_system_allows(self):
        import fcntl

        read, write = os.pipe()
        try:
            self.assertEqual(fcntl.fcntl(write, F_GETPIPE_SZ), 64 * 1024)
            stream = Stream(write)
            expected = min(PIPE_BYTES, pipe_limit() or PIPE_BYTES)
            self.assertGreaterEqual(fcntl.fcntl(write, F_GETPIPE_SZ), expected)
            # Written without a reader, never waiting: a 64 KiB pipe would refuse the rest.
            os.set_blocking(write, False)
            stream.append((wire.SYMBOL, 1, "x" * (PIPE_BYTES // 2)))
            stream.flush()
            self.assertEqual(os.read(read, 5), wire.HEADER)
        finally:
            os.close(read)
            os.close(write)

    def test_a_stream_on_a_file_is_left_as_it_is(self):
        with tempfile.TemporaryFile() as file:
            stream = Stream(file.fileno())
            stream.append((wire.SYMBOL, 1, "x"))
            stream.flush()
            file.seek(0)
            self.assertEqual(file.read(5), wire.HEADER)


if __name__ == "__main__":
    unittest.main()
