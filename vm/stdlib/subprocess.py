"""subprocess for gilsim: run, Popen, check_output and check_call, for child Python scripts.

The one command gilsim runs is [sys.executable, "child.py", arg...]: the host compiles child.py
and runs it as a new process, with its own interpreter and GIL, sys.argv = ["child.py", arg...],
its output captured (PIPE), dropped (DEVNULL) or passed through (None). The parent waits for it
with its GIL released (`blocked`), as CPython's waits in the OS. Any other command is refused
with an OSError naming it. Output is text: bytes are not part of gilsim's language, so stdout and
stderr are str whether or not text=True is given.
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


class Popen:
    """A child Python script, started at once."""

    def __init__(self, args, bufsize=-1, executable=None, stdin=None, stdout=None, stderr=None,
                 text=None, universal_newlines=None, encoding=None, errors=None, cwd=None,
                 env=None, shell=False):
        if isinstance(args, str) or not args or args[0] != sys.executable or len(args) < 2 \
                or shell:
            raise OSError(f"gilsim runs only child Python scripts, [sys.executable, "
                          f"'child.py', ...]; not {args!r} (docs/stdlib.md)")
        if stdin is not None:
            raise ValueError("gilsim's subprocess gives the child no stdin")
        self.args = args
        self._handle = _process.run_script(args[1], list(args[1:]), _mode(stdout, "stdout"),
                                           _mode(stderr, "stderr"))
        self.pid = _process.pid(self._handle)
        self.returncode = None
        self._piped = (stdout == PIPE, stderr == PIPE)

    def poll(self):
        if self.returncode is None:
            self.returncode = _process.exitcode(self._handle)
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            finished = _process.join(self._handle, -1 if timeout is None else max(timeout, 0))
            if not finished:
                raise TimeoutExpired(self.args, timeout)
            self.returncode = _process.exitcode(self._handle)
        return self.returncode

    def communicate(self, input=None, timeout=None):
        if input is not None:
            raise ValueError("gilsim's subprocess gives the child no stdin")
        self.wait(timeout)
        out, err = _process.output(self._handle)
        return (out if self._piped[0] else None, err if self._piped[1] else None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, value, traceback):
        self.wait()

    def kill(self):
        raise NotImplementedError("Popen.kill() is not supported by gilsim")

    terminate = kill


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
    return run(*popenargs, stdout=PIPE, timeout=timeout, check=True, **kwargs).stdout
