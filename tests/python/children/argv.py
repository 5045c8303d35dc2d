# children/argv.py: a child script for subprocess_errors.py (not a test of its own): prints its
# sys.argv, then exits with the message of its last argument when asked to ("exit MESSAGE").
import sys

print(sys.argv)
if len(sys.argv) > 2 and sys.argv[1] == "exit":
    sys.exit(sys.argv[2])
