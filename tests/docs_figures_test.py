#!/usr/bin/env python3
"""The figures the docs show come from the commands beside them: every sim-engine command of
docs/guide.md, docs/scale.md and docs/demos.md is run, and the output lines the page shows must be among what it
printed (exact, on the deterministic sim engine).

Usage: python3 tests/docs_figures_test.py GILSIM_BINARY REPO_ROOT [--filter SUBSTR]

How a page is read: a fenced block whose every line is a command (`gilsim ...`, or `$ gilsim ...`
with `\\` continuations) is a command block; the fenced blocks after it, up to the next command
block or heading, are its output; in a block that opens with `$ gilsim`, the lines after the
command are its output. Each non-empty output line must appear in the commands' stdout
and stderr (runs of spaces count as one); a line ending in `...` must begin a printed line; a line
that is only `...` stands for lines left out. An output block right after an HTML comment
`<!-- not checked: REASON -->` is skipped (threads-engine figures, which vary from run to run);
output of a command that does not run on the sim engine must carry that mark.
Output files the commands name (--timeline, --trace, --json, --csv, --svg) are written to a
scratch folder. Prints `ok`/`FAIL` per block; exits 1 on any FAIL.
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile

PAGES = ["docs/guide.md", "docs/scale.md", "docs/demos.md", "docs/policies/pypy.md",
         "docs/policies/ocaml.md", "docs/policies/gvl-3.2.md", "docs/policies/lua.md",
         "docs/policies/free-threaded.md", "docs/fidelity.md"]
OUTPUT_FLAGS = {"--timeline", "--trace", "--json", "--csv", "--svg"}


def blocks(text):
    """(kind, lines, skipped, heading) for each fenced block, in order."""
    out, lines, i, heading = [], text.split("\n"), 0, ""
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line
            out.append(("heading", [], False, heading))
        if line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            body = lines[i + 1:j]
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            skipped = k >= 0 and lines[k].strip().startswith("<!-- not checked:")
            out.append(("block", body, skipped, heading))
            i = j
        i += 1
    return out


def commands_of(body):
    """The commands of a command block, or None if it is not one."""
    cmds, pending = [], ""
    for raw in body:
        line = raw.strip()
        if not line:
            continue
        if pending:
            line = pending + " " + line
            pending = ""
        elif line.startswith("$ "):
            line = line[2:]
        elif not line.startswith("gilsim "):
            return None
        if line.endswith("\\"):
            pending = line[:-1].strip()
            continue
        if not line.startswith("gilsim "):
            return None
        cmds.append(line)
    return cmds or None


def norm(s):
    return " ".join(s.split())


def run_command(gilsim, repo, cmd, scratch):
    args = shlex.split(cmd)[1:]
    for k in range(len(args) - 1):
        if args[k] in OUTPUT_FLAGS:
            args[k + 1] = os.path.join(scratch, os.path.basename(args[k + 1]))
    if args and args[0] == "demo":
        args += ["--out", scratch]  # not ./gilsim-demo/ in the repository
    p = subprocess.run([gilsim] + args, cwd=repo, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    gilsim, repo = os.path.abspath(sys.argv[1]), sys.argv[2]
    filt = sys.argv[sys.argv.index("--filter") + 1] if "--filter" in sys.argv else ""
    failures = passes = 0
    scratch = tempfile.mkdtemp(prefix="gilsim-docs-")
    cache = {}
    for page in PAGES:
        text = open(os.path.join(repo, page), encoding="utf-8").read()
        cmds, outputs = None, None
        for kind, body, skipped, heading in blocks(text) + [("heading", [], False, "")]:
            if kind == "block" and body and body[0].startswith("$ gilsim"):
                # A prompt block: the command (with its continuations), then what it printed.
                n = 1
                while body[n - 1].rstrip().endswith("\\"):
                    n += 1
                cmds, body = commands_of(body[:n]), body[n:]
            c = commands_of(body) if kind == "block" else None
            if kind == "heading" or c is not None:
                cmds = c
                continue
            if cmds is None or skipped:
                continue
            where = "%s %s: output of %s" % (page, heading.strip("# "), "; ".join(cmds))
            if filt and filt not in where:
                continue
            bad = [x for x in cmds if "--engine sim" not in x]
            if bad:
                failures += 1
                print("FAIL %s\n     not on the sim engine (mark the output <!-- not checked: ... -->)" % where)
                continue
            printed = []
            for cmd in cmds:
                if cmd not in cache:
                    cache[cmd] = run_command(gilsim, repo, cmd, scratch)
                printed += [norm(x) for x in cache[cmd][1].split("\n")]
            missing = []
            for line in body:
                want = norm(line)
                if not want or want == "...":
                    continue
                if want.endswith("..."):
                    prefix = want[:-3].rstrip()
                    ok = any(p.startswith(prefix) for p in printed)
                else:
                    ok = want in printed
                if not ok:
                    missing.append(line)
            if missing:
                failures += 1
                print("FAIL %s\n     shown but not printed:\n%s" % (
                    where, "\n".join("       | " + m for m in missing)))
            else:
                passes += 1
                print("ok   %s" % where)
    print("%d passed, %d failed" % (passes, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
