# children/square.py: a child script for subprocess_run.py (not a test of its own): prints the
# squares of its arguments, or fails with exit status 3 when given "fail".
import sys

args = sys.argv[1:]
if args == ["fail"]:
    print("child failing", file=sys.stderr)
    sys.exit(3)
for a in args:
    print(int(a) ** 2)
