#!/usr/bin/env python3
"""The figures the docs show come from the commands beside them: every sim-engine command of
docs/guide.md, docs/scale.md, docs/demos.md, docs/fidelity.md and the policy pages (PAGES) is run,
and the output lines the page shows must be among what it printed (exact, on the deterministic
sim engine).

Usage: python3 tests/docs_figures_test.py GILSIM_BINARY REPO_ROOT [--filter SUBSTR] [--update]

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

--update rewrites, in the pages, every shown line that was not printed with the printed line of
the same shape (the same words once numbers are left out; of those, the one sharing the most
numbers, then the first after the line matched before it, in this block or an earlier one of
the same commands): a full line becomes the printed line (indented as it was),
a line ending in `...` gets the printed numbers in place of its own. A line with no printed line
of its shape stays and fails. Review the diff (`git diff docs/`) before committing it.
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile

PAGES = ["docs/guide.md", "docs/scale.md", "docs/demos.md", "docs/policies/modern.md",
         "docs/policies/legacy.md", "docs/policies/fifo.md", "docs/policies/io-priority.md",
         "docs/policies/gvl.md", "docs/policies/pypy.md", "docs/policies/ocaml.md",
         "docs/policies/gvl-3.2.md", "docs/policies/lua.md", "docs/policies/none.md",
         "docs/policies/free-threaded.md", "docs/policies/per-process.md", "docs/fidelity.md"]
OUTPUT_FLAGS = {"--timeline", "--trace", "--json", "--csv", "--svg"}


def blocks(text):
    """(kind, lines, skipped, heading, index of the first line) for each fenced block, in order."""
    out, lines, i, heading = [], text.split("\n"), 0, ""
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line
            out.append(("heading", [], False, heading, i))
        if line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            body = lines[i + 1:j]
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            skipped = k >= 0 and lines[k].strip().startswith("<!-- not checked:")
            out.append(("block", body, skipped, heading, i + 1))
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


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def shape(s):
    return NUMBER.sub("#", norm(s))


def updated(line, printed, after):
    """(the line rewritten from its printed counterpart, that line's index) or (None, after)."""
    want = norm(line)
    prefix = want.endswith("...")
    key = shape(want[:-3].rstrip()) if prefix else shape(want)
    nums = NUMBER.findall(want)
    best, best_score = None, None
    for k, p in enumerate(printed):
        if not (shape(p).startswith(key) if prefix else shape(p) == key):
            continue
        score = (sum(a == b for a, b in zip(nums, NUMBER.findall(p))), k >= after, -k)
        if best_score is None or score > best_score:
            best, best_score = k, score
    if best is None:
        return None, after
    if not prefix:  # the printed line, indented as the page indents it
        return line[:len(line) - len(line.lstrip())] + raw_printed[best].lstrip(), best + 1
    new = iter(NUMBER.findall(printed[best]))
    return NUMBER.sub(lambda m: next(new, m.group(0)), line), best + 1


raw_printed = []  # the printed lines as printed (updated() returns them), beside their norm()s


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
    update = "--update" in sys.argv
    failures = passes = 0
    scratch = tempfile.mkdtemp(prefix="gilsim-docs-")
    cache = {}
    for page in PAGES:
        text = open(os.path.join(repo, page), encoding="utf-8").read()
        page_lines = text.split("\n")
        cmds, outputs, after = None, None, 0
        for kind, body, skipped, heading, start in blocks(text) + [("heading", [], False, "", 0)]:
            if kind == "block" and body and body[0].startswith("$ gilsim"):
                # A prompt block: the command (with its continuations), then what it printed.
                n = 1
                while body[n - 1].rstrip().endswith("\\"):
                    n += 1
                cmds, body, start = commands_of(body[:n]), body[n:], start + n
                after = 0
            c = commands_of(body) if kind == "block" else None
            if kind == "heading" or c is not None:
                cmds = c
                after = 0  # blocks after one command block show its commands' output in order
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
            del raw_printed[:]
            for cmd in cmds:
                if cmd not in cache:
                    cache[cmd] = run_command(gilsim, repo, cmd, scratch)
                printed += [norm(x) for x in cache[cmd][1].split("\n")]
                raw_printed.extend(x.rstrip() for x in cache[cmd][1].split("\n"))
            missing = []
            for index, line in enumerate(body):
                want = norm(line)
                if not want or want == "...":
                    continue
                if want.endswith("..."):
                    prefix = want[:-3].rstrip()
                    ok = any(p.startswith(prefix) for p in printed)
                else:
                    ok = want in printed
                if ok:
                    hits = [k for k, p in enumerate(printed) if p == want or (
                        want.endswith("...") and p.startswith(want[:-3].rstrip()))]
                    after = next((k + 1 for k in hits if k >= after), hits[0] + 1)
                    continue
                if update:
                    new, after = updated(line, printed, after)
                    if new is not None:
                        page_lines[start + index] = new
                        print("     updated: %s\n           -> %s" % (line.strip(), new.strip()))
                        continue
                missing.append(line)
            if missing:
                failures += 1
                print("FAIL %s\n     shown but not printed:\n%s" % (
                    where, "\n".join("       | " + m for m in missing)))
            else:
                passes += 1
                print("ok   %s" % where)
        if update and "\n".join(page_lines) != text:
            with open(os.path.join(repo, page), "w", encoding="utf-8") as f:
                f.write("\n".join(page_lines))
    print("%d passed, %d failed" % (passes, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
