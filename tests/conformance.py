#!/usr/bin/env python3
"""Oracle check: every gilsim script must behave exactly as it does under CPython.

Usage: python3 tests/conformance.py GILSIM_BINARY SCRIPTS_DIR [--filter SUBSTR]

For every *.gil under SCRIPTS_DIR (recursively, sorted) that is not marked
`# conformance: skip REASON`, runs CPython (`sys.executable FILE`) and `GILSIM_BINARY run FILE`
(30 s timeout each, nothing injected: the scripts stand alone) and requires:
  * identical stdout;
  * when either one fails, that both fail and that the last non-empty stderr lines match
    (gilsim must exit 1 on a runtime error, like CPython);
  * for scripts that do not compile (CPython raises SyntaxError, IndentationError or TabError),
    only that gilsim exits 2; messages are not compared. A script marked
    `# expect syntax error:` must make CPython fail that way, too.
Prints `ok NAME`, `FAIL NAME: reason` or `skip NAME (reason)` per script, then
`N passed, M failed, K skipped`. Exits 1 on any failure (or when no script was found), else 0.

CPython 3.11 is the reference: other versions word some error messages differently.
"""

import difflib
import os
import re
import signal
import subprocess
import sys

TIMEOUT_S = 30
SKIP_RE = re.compile(r"#\s*conformance:\s*skip\b\s*(.*)$")
SYNTAX_MARK = "# expect syntax error:"
SYNTAX_CLASSES = ("SyntaxError", "IndentationError", "TabError")


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Run:
    def __init__(self, argv):
        self.timed_out = False
        self.error = None
        self.rc, self.out, self.err = None, b"", b""
        try:
            # A session of its own, so that a timeout kills whatever the child started too.
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True)
        except OSError as e:
            self.error = str(e)
            return
        try:
            self.out, self.err = p.communicate(timeout=TIMEOUT_S)
            self.rc = p.returncode
        except subprocess.TimeoutExpired:
            self.timed_out = True
            kill_group(p)
            self.out, self.err = p.communicate()
        finally:
            kill_group(p)  # leftovers of an exited child that still hold nothing we wait for

    @property
    def failed(self):
        return self.rc != 0

    def last_err_line(self):
        # gilsim's own note that a busy machine skewed the threads engine's times is not the
        # script's error.
        for line in reversed(self.err.decode("utf-8", "replace").splitlines()):
            if line.strip() and not line.startswith("gilsim: note:"):
                return line.rstrip()
        return ""

    def describe(self):
        if self.error:
            return "could not start: " + self.error
        if self.timed_out:
            return f"timeout after {TIMEOUT_S} s"
        if self.rc < 0:
            return f"killed by signal {-self.rc}"
        return f"exit code {self.rc}"


def stdout_diff(want, got, limit=12):
    w = want.decode("utf-8", "replace").splitlines()
    g = got.decode("utf-8", "replace").splitlines()
    lines = list(difflib.unified_diff(w, g, "cpython", "gilsim", lineterm="", n=1))
    if not lines:  # same lines, different bytes (e.g. final newline)
        return "stdout differs (cpython %d bytes, gilsim %d bytes)" % (len(want), len(got))
    shown = lines[2:2 + limit]
    more = len(lines) - 2 - len(shown)
    text = "stdout differs:\n" + "\n".join("       " + l for l in shown)
    if more > 0:
        text += f"\n       ... ({more} more diff lines)"
    return text


def check(gilsim, path, expects_syntax_error):
    """Returns None when the script conforms, else the reason it does not."""
    py = Run([sys.executable, path])
    if py.timed_out or py.error:
        return "cpython: " + py.describe()
    gil = Run([gilsim, "run", "-q", path])
    if gil.error or gil.timed_out:
        return "gilsim: " + gil.describe()
    if gil.rc is not None and gil.rc < 0:
        tail = gil.last_err_line()
        return "gilsim crashed: " + gil.describe() + (f"; stderr: {tail!r}" if tail else "")

    py_last = py.last_err_line()
    py_syntax = py.failed and py_last.split(":", 1)[0] in SYNTAX_CLASSES
    if expects_syntax_error and not py_syntax:
        return f"marked '{SYNTAX_MARK}' but cpython does not reject it ({py.describe()}" + \
               (f": {py_last!r})" if py_last else ")")
    if py_syntax:
        if gil.rc != 2:
            return f"cpython rejects it ({py_last!r}) but gilsim gave {gil.describe()}, not exit code 2"
        if gil.out:
            return "gilsim printed to stdout for a script that does not compile"
        if not gil.err.strip():
            return "gilsim exit code 2 but nothing on stderr"
        return None

    problems = []
    if py.out != gil.out:
        problems.append(stdout_diff(py.out, gil.out))
    if py.failed or gil.failed:
        gil_last = gil.last_err_line()
        if not py.failed:
            problems.insert(0, f"gilsim failed ({gil.describe()}: {gil_last!r}) but cpython succeeded")
        elif not gil.failed:
            problems.insert(0, f"cpython failed ({py_last!r}) but gilsim succeeded")
        else:
            if gil.rc != py.rc:
                problems.insert(0, f"gilsim {gil.describe()}, cpython exit code {py.rc}")
            if not gil_last:
                problems.insert(0, "gilsim failed with nothing on stderr")
            elif gil_last != py_last:
                problems.insert(0, f"last stderr line: cpython {py_last!r}, gilsim {gil_last!r}")
    return "; ".join(problems) if problems else None


def scan(path):
    """Returns (skip reason or None, whether the script expects a syntax error)."""
    skip, syntax = None, False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SKIP_RE.search(line)
            if m and skip is None:
                skip = m.group(1).strip() or "no reason given"
            if SYNTAX_MARK in line:
                syntax = True
    return skip, syntax


def main(argv):
    args, filt = [], None
    it = iter(argv[1:])
    for a in it:
        if a == "--filter":
            filt = next(it, None)
            if filt is None:
                return usage("--filter needs an argument")
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            return usage("unknown option " + a)
        else:
            args.append(a)
    if len(args) != 2:
        return usage("expected GILSIM_BINARY and SCRIPTS_DIR")
    gilsim, root = args
    if not (os.path.isfile(gilsim) and os.access(gilsim, os.X_OK)):
        print(f"conformance: {gilsim} is not an executable file", file=sys.stderr)
        return 2
    if not os.path.isdir(root):
        print(f"conformance: {root} is not a directory", file=sys.stderr)
        return 2
    if sys.version_info[:2] != (3, 11):
        print("conformance: note: the reference is CPython 3.11, this is %d.%d; some error "
              "messages may differ" % sys.version_info[:2], file=sys.stderr)

    scripts = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        scripts += [os.path.join(d, f) for f in files if f.endswith(".gil")]
    scripts.sort(key=lambda p: os.path.relpath(p, root).replace(os.sep, "/"))

    passed = failed = skipped = 0
    for path in scripts:
        name = os.path.relpath(path, root).replace(os.sep, "/")
        if filt and filt not in name:
            continue
        skip, syntax = scan(path)
        if skip:
            skipped += 1
            print(f"skip {name} ({skip})", flush=True)
            continue
        reason = check(gilsim, path, syntax)
        if reason:
            failed += 1
            print(f"FAIL {name}: {reason}", flush=True)
        else:
            passed += 1
            print(f"ok   {name}", flush=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or (passed + failed + skipped) == 0 else 0


def usage(msg):
    print(f"conformance: {msg}\nusage: python3 tests/conformance.py GILSIM_BINARY SCRIPTS_DIR "
          "[--filter SUBSTR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
