"""Runs a program under the tracer, as ``smiley run`` would, and decodes what it streams.

The decoder here is Python's own ``marshal``: the wire format is framed marshal batches, so
these tests check the tracer's records independently of the TypeScript decoder.
"""

import json
import marshal
import os
import struct
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRACER = os.path.join(ROOT, "tracer")
PROGRAMS = os.path.join(HERE, "programs")
MAGIC = b"SMLY\x01"


def decode_stream(data):
    """The records of a complete stream, in order."""
    if data[:5] != MAGIC:
        raise ValueError("not a smiley stream: %r" % data[:8])
    records = []
    offset = 5
    while offset < len(data):
        (length,) = struct.unpack_from("<I", data, offset)
        offset += 4
        records.extend(marshal.loads(data[offset : offset + length]))
        offset += length
    return records


def run_traced(argv, options=None, python=sys.executable, cwd=None, env=None, timeout=60):
    """Run ``python argv…`` under the tracer; returns (completed process, records)."""
    read_end, write_end = os.pipe()
    settings = {"fd": write_end, "run": "test-run", "pythonPath": None}
    settings.update(options or {})
    environment = dict(os.environ if env is None else env)
    environment["PYTHONPATH"] = TRACER
    environment["SMILEY_OPTIONS"] = json.dumps(settings)
    chunks = []

    def read():
        while True:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        process = subprocess.run(
            [python] + list(argv),
            cwd=cwd or PROGRAMS,
            env=environment,
            pass_fds=(write_end,),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    finally:
        os.close(write_end)
        reader.join()
        os.close(read_end)
    return process, decode_stream(b"".join(chunks))


_native = []


def native_problem():
    """Why the native accelerator cannot be built here (None: it can). Said once on stderr,
    since the native half of the tests is then skipped."""
    if not _native:
        sys.path.insert(0, TRACER)
        from smiley_tracer.build import BuildError, load_or_build

        try:
            load_or_build()
            _native.append(None)
        except BuildError as error:
            _native.append(str(error))
            sys.stderr.write("native accelerator tests skipped: %s\n" % error)
    return _native[0]
