#!/usr/bin/env python3
"""gilsim's standard library sources (vm/stdlib/) use only the language gilsim runs.

Usage: python3 tests/stdlib_sources_lint.py REPO_ROOT

The modules are Python that gilsim's own VM compiles (docs/stdlib.md §4), so they must keep to the
language of docs/language.md: no generators (`yield`), no async, no `:=`, no `match`, no
metaclasses or `__slots__`, none of the attribute hooks (`__getattr__`, `__getattribute__`,
`__setattr__`, `__new__`), and they may import only modules gilsim has. CPython would run such
code happily (tests/stdlib_on_cpython.py does), so this check is what keeps the sources within
reach of gilsim's compiler. Prints one line per finding (FILE:LINE: what) and exits 1 if any,
else prints how many files it read and exits 0.
"""

import ast
import os
import sys

REFUSED_NODES = {
    "Yield": "a generator (yield)",
    "YieldFrom": "a generator (yield from)",
    "Await": "await",
    "AsyncFunctionDef": "async def",
    "AsyncFor": "async for",
    "AsyncWith": "async with",
    "NamedExpr": "an assignment expression (:=)",
    "Match": "match",
}
REFUSED_METHODS = {"__getattr__", "__getattribute__", "__setattr__", "__delattr__", "__new__",
                   "__init_subclass__", "__class_getitem__", "__del__"}
# What the sources may import: gilsim's native modules and the sources themselves.
NATIVE_MODULES = {"_thread", "_process", "_random", "_sys", "time", "os", "math", "gilsim"}


def findings(path, source_modules):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    for node in ast.walk(tree):
        kind = type(node).__name__
        line = getattr(node, "lineno", 0)
        if kind in REFUSED_NODES:
            yield line, REFUSED_NODES[kind]
        elif isinstance(node, ast.FunctionDef) and node.name in REFUSED_METHODS:
            yield line, f"the attribute hook {node.name}"
        elif isinstance(node, ast.ClassDef):
            if node.keywords:
                yield line, f"class {node.name} with keywords (a metaclass)"
            for item in node.body:
                if isinstance(item, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "__slots__" for t in item.targets):
                    yield item.lineno, f"__slots__ in class {node.name}"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names]
            for name in names:
                if name not in NATIVE_MODULES and name not in source_modules:
                    yield line, f"an import of {name}, which gilsim does not have"


def main(argv):
    if len(argv) != 2:
        print("usage: python3 tests/stdlib_sources_lint.py REPO_ROOT", file=sys.stderr)
        return 2
    stdlib = os.path.join(argv[1], "vm", "stdlib")
    paths = []
    for d, dirs, files in os.walk(stdlib):
        dirs.sort()
        paths += [os.path.join(d, f) for f in sorted(files) if f.endswith(".py")]
    modules = {os.path.relpath(p, stdlib)[:-3].replace(os.sep, ".") for p in paths}
    bad = 0
    for path in paths:
        for line, what in findings(path, modules):
            bad += 1
            print(f"{os.path.relpath(path, argv[1])}:{line}: {what}")
    if not paths:
        print(f"no sources under {stdlib}")
        return 1
    print(f"{len(paths)} sources read, {bad} findings")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
