"""Compiling the native accelerator (``_speedups/*.c``) on first use.

It is built against the running interpreter's own headers with the compiler and flags the
interpreter was built with (``sysconfig``), calling the compiler directly: neither distutils
nor setuptools is needed. The result is cached per interpreter build and source: in ``$SMILEY_CACHE`` when
that is set, else in the first writable of ``~/.cache/smiley`` (``$XDG_CACHE_HOME/smiley``) and
a folder next to the tracer; when none is writable, it is built into a temporary folder for
this run only.
"""

import contextlib
import importlib.machinery
import importlib.util
import os
import sys
import sysconfig
import zlib

try:
    import fcntl
except ImportError:  # not on Windows: concurrent first runs may then each compile
    fcntl = None

MODULE = "smiley_tracer._speedups"
SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_speedups")
COMPILE_TIMEOUT = 120
# Reading fast locals needs the interpreter's internal headers from 3.11 on; a build that
# cannot use them falls back to the public API (slower: locals are read through f_locals).
VARIANTS = ((), ("-DSMILEY_PUBLIC_API",))


class BuildError(Exception):
    """The accelerator could not be built or loaded; the message says why."""


class _Unwritable(Exception):
    """A cache folder that cannot take the build after all: try the next one."""


def _sources():
    return sorted(os.path.join(SOURCE_DIR, name) for name in os.listdir(SOURCE_DIR) if name.endswith((".c", ".h")))


def cache_key():
    """What a built module depends on: the interpreter build, its ABI and the C sources."""
    # Two 32-bit checksums rather than hashlib, which would load OpenSSL at every start.
    parts = [sys.version.encode(), sys.executable.encode(), repr(sysconfig.get_config_var("SOABI")).encode()]
    for path in _sources():
        with open(path, "rb") as handle:
            parts.append(os.path.basename(path).encode() + b"\0" + handle.read())
    data = b"\0".join(parts)
    digest = "%08x%08x" % (zlib.crc32(data), zlib.adler32(data))
    return "%s-%d.%d-%s" % (sys.implementation.name, sys.version_info[0], sys.version_info[1], digest)


def _cache_dirs():
    if os.environ.get("SMILEY_CACHE"):
        return [os.environ["SMILEY_CACHE"]]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [os.path.join(base, "smiley"), os.path.join(os.path.dirname(SOURCE_DIR), "_build")]


def module_file_name():
    """The built module's file name, as this interpreter imports extension modules."""
    return "_speedups" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so")


def _load(path):
    loader = importlib.machinery.ExtensionFileLoader(MODULE, path)
    spec = importlib.util.spec_from_file_location(MODULE, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def compile_command(output, extra):
    """The compiler's command line building every C source into ``output``."""
    import shlex  # this and the other imports of building: not paid at every start

    config = sysconfig.get_config_var
    linker = shlex.split(config("LDSHARED") or "cc -shared")
    compiler = shlex.split(config("CC") or "cc")
    if linker and compiler and os.path.basename(linker[0]) != os.path.basename(compiler[0]):
        linker = compiler + ["-shared"]  # a wrapper that only links: use the compiler to link
    flags = shlex.split(config("CFLAGS") or "") + shlex.split(config("CCSHARED") or "")
    paths = sysconfig.get_paths()
    includes = ["-I" + paths["include"]]
    if paths.get("platinclude") and paths["platinclude"] != paths["include"]:
        includes.append("-I" + paths["platinclude"])
    sources = [path for path in _sources() if path.endswith(".c")]
    return linker + flags + includes + list(extra) + sources + ["-o", output]


def _compile(folder):
    """Compile into ``folder``; returns the module's path. Raises BuildError."""
    import subprocess
    import tempfile

    target = os.path.join(folder, module_file_name())
    reasons = []
    for extra in VARIANTS:
        try:
            handle, scratch = tempfile.mkstemp(prefix=".speedups-", suffix=".so", dir=folder)
        except OSError:
            raise _Unwritable() from None
        os.close(handle)
        try:
            done = subprocess.run(
                compile_command(scratch, extra),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=COMPILE_TIMEOUT,
            )
        except (OSError, subprocess.SubprocessError) as error:
            os.unlink(scratch)
            raise BuildError("cannot run the C compiler: %s" % error) from None
        if done.returncode == 0:
            try:
                os.replace(scratch, target)  # atomic: another process may be building the same
            except OSError:
                os.unlink(scratch)
                raise _Unwritable() from None
            return target
        os.unlink(scratch)
        lines = [line for line in done.stdout.decode("utf-8", "replace").splitlines() if "error" in line]
        reasons.append((lines or ["exit status %d" % done.returncode])[0].strip())
    raise BuildError("the C compiler failed: %s" % reasons[0])


def _writable(folder):
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


@contextlib.contextmanager
def _build_lock(folder):
    """Held while building into ``folder``: programs started together compile only once."""
    try:
        handle = os.open(os.path.join(folder, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        raise _Unwritable() from None
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _load_or_compile(folder):
    """The module in ``folder``, which another process may have built while we waited."""
    path = os.path.join(folder, module_file_name())
    if os.path.exists(path):
        try:
            return _load(path)
        except ImportError:
            pass
    return _load(_compile(folder))


def load_or_build():
    """The compiled accelerator module, built first if need be. Raises BuildError."""
    if sys.implementation.name != "cpython":
        raise BuildError("only CPython can load it")
    key = cache_key()
    folders = [os.path.join(base, key) for base in _cache_dirs()]
    for folder in folders:
        path = os.path.join(folder, module_file_name())
        if os.path.exists(path):
            try:
                return _load(path)
            except ImportError:
                continue  # a broken file: build it again below
    for folder in folders:
        if _writable(folder):
            try:
                with _build_lock(folder):
                    return _load_or_compile(folder)
            except _Unwritable:
                continue
    import tempfile

    with tempfile.TemporaryDirectory(prefix="smiley-speedups-") as folder:
        # Loaded before the folder goes: the module stays mapped.
        return _load(_compile(folder))
