"""subprocess for gilsim: run, Popen, check_output, check_call and call, for child Python scripts.

The one command gilsim runs is [sys.executable, "child.py", arg...] (python3's -u and -B may come
before the script; they change nothing here): the host opens child.py relative to the working
directory, as python3 does, compiles it and runs it as a new process with its own interpreter
and GIL, sys.argv = ["child.py", arg...], its stdout and stderr captured (PIPE), dropped
(DEVNULL), merged (stderr=STDOUT) or passed through (None). The parent waits for it with its GIL
released (`blocked`, as a join), as CPython's waits in the OS. A child that python3 could not
start ends as python3 would: exit status 2 for a file it cannot open, 1 for a syntax error, with
python3's message on its stderr. Any other command is refused with an OSError naming it. Output
is bytes, or str with text=True (or universal_newlines, encoding, errors), as in CPython.
"""

import _process
import sys

__all__ = ["Popen", "PIPE", "STDOUT", "DEVNULL", "call", "check_call", "check_output", "run",
           "CalledProcessError", "SubprocessError", "TimeoutExpired", "CompletedProcess"]

PIPE = -1
STDOUT = -2
DEVNULL = -3


class SubprocessError(Exception):
    pass


class CalledProcessError(SubprocessError):
    """Raised by check_call, check_output and run(check=True) for a non-zero exit status."""

    def __init__(self, returncode, cmd, output=None, stderr=None):
        self.returncode = returncode
        self.cmd = cmd
        self.output = output
        self.stdout = output
        self.stderr = stderr

    def __str__(self):
        return "Command '%s' returned non-zero exit status %d." % (self.cmd, self.returncode)


class TimeoutExpired(SubprocessError):
    """Raised when the timeout given to wait(), communicate() or run() expires."""

    def __init__(self, cmd, timeout, output=None, stderr=None):
        self.cmd = cmd
        self.timeout = timeout
        self.output = output
        self.stdout = output
        self.stderr = stderr

    def __str__(self):
        return "Command '%s' timed out after %s seconds" % (self.cmd, self.timeout)


class CompletedProcess:
    """What run() returns."""

    def __init__(self, args, returncode, stdout=None, stderr=None):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self):
        args = ["args={!r}".format(self.args), "returncode={!r}".format(self.returncode)]
        if self.stdout is not None:
            args.append("stdout={!r}".format(self.stdout))
        if self.stderr is not None:
            args.append("stderr={!r}".format(self.stderr))
        return "{}({})".format(type(self).__name__, ", ".join(args))

    def check_returncode(self):
        if self.returncode:
            raise CalledProcessError(self.returncode, self.args, self.stdout, self.stderr)


def _mode(stream, name):
    if stream is None:
        return "inherit"
    if stream == PIPE:
        return "pipe"
    if stream == DEVNULL:
        return "devnull"
    if stream == STDOUT and name == "stderr":
        return "stdout"
    raise ValueError(f"gilsim's subprocess takes None, PIPE or DEVNULL for {name}, not {stream!r}")


# python3's options that change nothing about how gilsim runs a script.
_HARMLESS_OPTIONS = ("-u", "-B")


def _script(args, executable, shell):
    """The child script's sys.argv, or OSError naming a command gilsim cannot run."""
    argv = None
    if not isinstance(args, str) and not shell and executable in (None, sys.executable) \
            and len(args) >= 2 and args[0] == sys.executable:
        argv = list(args[1:])
        while argv and argv[0] in _HARMLESS_OPTIONS:
            argv = argv[1:]
        if not argv or not isinstance(argv[0], str) or argv[0].startswith("-"):
            argv = None
    if argv is None:
        raise OSError(f"gilsim runs only Python scripts as child processes, "
                      f"[sys.executable, 'child.py', ...]: cannot run {args!r} "
                      f"(see docs/stdlib.md)")
    return argv


class _PipeReader:
    """Popen.stdout / Popen.stderr for PIPE: a read waits for the child to finish and returns
    what is left of its output (gilsim hands the output over at the child's end, not as a
    stream)."""

    def __init__(self, process, index):
        self._process = process
        self._index = index
        self._data = None
        self.closed = False

    def _rest(self):
        if self._data is None:
            self._process.wait()
            self._data = self._process._output()[self._index]
        return self._data

    def read(self, size=-1):
        data = self._rest()
        if size is None or size < 0:
            size = len(data)
        self._data = data[size:]
        return data[:size]

    def readline(self):
        data = self._rest()
        end = data.find("\n" if self._process._text else b"\n")
        end = len(data) if end < 0 else end + 1
        self._data = data[end:]
        return data[:end]

    def readlines(self):
        lines = []
        line = self.readline()
        while line:
            lines.append(line)
            line = self.readline()
        return lines

    def __iter__(self):
        return iter(self.readlines())

    def close(self):
        self.closed = True


class Popen:
    """A child Python script, started at once."""

    def __init__(self, args, bufsize=-1, executable=None, stdin=None, stdout=None, stderr=None,
                 preexec_fn=None, close_fds=True, shell=False, cwd=None, env=None,
                 universal_newlines=None, startupinfo=None, creationflags=0,
                 restore_signals=True, start_new_session=False, pass_fds=(), *, encoding=None,
                 errors=None, text=None):
        argv = _script(args, executable, shell)
        if stdin is not None:
            raise ValueError("gilsim's subprocess gives the child no stdin")
        if cwd is not None:
            raise ValueError("gilsim's subprocess runs the child in the working directory "
                             "(no cwd=)")
        self.args = args
        self._text = bool(text or universal_newlines or encoding or errors)
        self.returncode = None
        self._handle = _process.run_script(argv[0], argv, _mode(stdout, "stdout"),
                                           _mode(stderr, "stderr"))
        self.pid = _process.pid(self._handle)
        self._piped = (stdout == PIPE, stderr == PIPE)
        self.stdin = None
        self.stdout = _PipeReader(self, 0) if stdout == PIPE else None
        self.stderr = _PipeReader(self, 1) if stderr == PIPE else None

    def __repr__(self):
        return f"<Popen: returncode: {self.returncode} args: {self.args!r}>"

    def _output(self):
        return _process.output(self._handle, self._text)

    def poll(self):
        if self.returncode is None:
            self.returncode = _process.exitcode(self._handle)
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            if not _process.join(self._handle, -1 if timeout is None else max(timeout, 0)):
                raise TimeoutExpired(self.args, timeout)
            self.returncode = _process.exitcode(self._handle)
        return self.returncode

    def communicate(self, input=None, timeout=None):
        if input is not None:
            raise ValueError("gilsim's subprocess gives the child no stdin")
        self.wait(timeout)
        out, err = self._output()
        return (out if self._piped[0] else None, err if self._piped[1] else None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, value, traceback):
        self.wait()

    def kill(self):
        raise NotImplementedError("Popen.kill() is not supported by gilsim")

    terminate = kill
    send_signal = kill


def run(*popenargs, input=None, capture_output=False, timeout=None, check=False, **kwargs):
    """Runs the child script, waits for it, returns a CompletedProcess."""
    if capture_output:
        if kwargs.get("stdout") is not None or kwargs.get("stderr") is not None:
            raise ValueError("stdout and stderr arguments may not be used "
                             "with capture_output.")
        kwargs["stdout"] = PIPE
        kwargs["stderr"] = PIPE
    process = Popen(*popenargs, **kwargs)
    stdout, stderr = process.communicate(input, timeout=timeout)
    retcode = process.poll()
    if check and retcode:
        raise CalledProcessError(retcode, process.args, output=stdout, stderr=stderr)
    return CompletedProcess(process.args, retcode, stdout, stderr)


def call(*popenargs, timeout=None, **kwargs):
    with Popen(*popenargs, **kwargs) as p:
        return p.wait(timeout=timeout)


def check_call(*popenargs, **kwargs):
    retcode = call(*popenargs, **kwargs)
    if retcode:
        raise CalledProcessError(retcode, popenargs[0])
    return 0


def check_output(*popenargs, timeout=None, **kwargs):
    """Runs the child script and returns its stdout; CalledProcessError if it failed."""
    for kw in ("stdout", "check"):
        if kw in kwargs:
            raise ValueError(f"{kw} argument not allowed, it will be overridden.")
    return run(*popenargs, stdout=PIPE, timeout=timeout, check=True, **kwargs).stdout
