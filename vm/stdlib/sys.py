"""sys for gilsim: CPython 3.11's names on the native _sys (vm/modules/sys_module.cpp).

version_info is a tuple-like object with CPython's fields (sys.version_info[:2] >= (3, 11),
sys.version_info.major); stdout and stderr have write() and flush(), and their writes go where
print's and tracebacks' go. exit() raises SystemExit with CPython's `code`.
"""

import _sys
from _sys import (argv, executable, exit, getrecursionlimit, getswitchinterval, setrecursionlimit,
                  setswitchinterval, version)


class _VersionInfo:
    """sys.version_info: (major, minor, micro, releaselevel, serial), as CPython's struct."""

    def __init__(self, major, minor, micro, releaselevel, serial):
        self.major = major
        self.minor = minor
        self.micro = micro
        self.releaselevel = releaselevel
        self.serial = serial
        self._tuple = (major, minor, micro, releaselevel, serial)

    def __getitem__(self, index):
        return self._tuple[index]

    def __len__(self):
        return 5

    def __iter__(self):
        return iter(self._tuple)

    def __eq__(self, other):
        return self._tuple == _as_tuple(other)

    def __ne__(self, other):
        return self._tuple != _as_tuple(other)

    def __lt__(self, other):
        return self._tuple < _as_tuple(other)

    def __le__(self, other):
        return self._tuple <= _as_tuple(other)

    def __gt__(self, other):
        return self._tuple > _as_tuple(other)

    def __ge__(self, other):
        return self._tuple >= _as_tuple(other)

    def __hash__(self):
        return hash(self._tuple)

    def __repr__(self):
        return (f"sys.version_info(major={self.major}, minor={self.minor}, micro={self.micro}, "
                f"releaselevel={self.releaselevel!r}, serial={self.serial})")


def _as_tuple(other):
    if isinstance(other, _VersionInfo):
        return other._tuple
    return other


class _TextStream:
    """sys.stdout and sys.stderr: write(text) returns its length; flush() sends stdout's writes
    out now (a file or a pipe is block-buffered until the run ends)."""

    def __init__(self, fd, name):
        self._fd = fd
        self.name = name

    def write(self, text):
        return _sys._write(self._fd, text)

    def flush(self):
        _sys._flush(self._fd)

    def isatty(self):
        return False

    def fileno(self):
        return self._fd


version_info = _VersionInfo(3, 11, 0, "final", 0)
stdout = _TextStream(1, "<stdout>")
stderr = _TextStream(2, "<stderr>")
__stdout__ = stdout
__stderr__ = stderr
