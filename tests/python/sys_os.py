# sys_os.py: what the sys and os modules offer a threading program: the version, argv, the
# recursion limit, exit, the process id and the number of cores.
#   python3 tests/python/sys_os.py
#   gilsim run tests/python/sys_os.py --engine sim --cores 4
import os
import sys

print("version:", sys.version_info[:2] >= (3, 11), sys.version_info.major)
print("argv[0] is the script:", sys.argv[0].endswith("sys_os.py"))
print("recursion limit:", sys.getrecursionlimit())
sys.setrecursionlimit(2000)
print("now:", sys.getrecursionlimit())
print("pid is a positive int:", isinstance(os.getpid(), int) and os.getpid() > 0)
print("cpu_count is a positive int:", os.cpu_count() >= 1)
print("executable is set:", bool(sys.executable))
try:
    sys.exit(3)
except SystemExit as e:
    print("SystemExit, code", e.code)
print("stdout and stderr exist:", sys.stdout is not None and sys.stderr is not None)
sys.stdout.write("written with sys.stdout.write\n")
print("printed to", "sys.stdout", file=sys.stdout, sep=" : ")
print("to stderr, not stdout", file=sys.stderr)
print("write returns the length:", sys.stdout.write("abc\n"))

# Output under CPython 3.11, and under gilsim on both engines:
# expect: version: True 3
# expect: argv[0] is the script: True
# expect: recursion limit: 1000
# expect: now: 2000
# expect: pid is a positive int: True
# expect: cpu_count is a positive int: True
# expect: executable is set: True
# expect: SystemExit, code 3
# expect: stdout and stderr exist: True
# expect: written with sys.stdout.write
# expect: printed to : sys.stdout
# expect: abc
# expect: write returns the length: 4
