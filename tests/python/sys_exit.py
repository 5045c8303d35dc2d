# sys_exit.py: sys.exit as CPython treats it: in a thread it ends that thread quietly; in the
# main thread it ends the program, printing the message when the code is not a number (exit
# status 1). Nothing after it runs.
#   python3 tests/python/sys_exit.py; echo $?
#   gilsim run tests/python/sys_exit.py --engine sim
import sys
import threading


def worker():
    print("worker runs")
    sys.exit(5)
    print("not printed")


t = threading.Thread(target=worker)
t.start()
t.join()
print("the worker ended quietly; main goes on")
try:
    sys.exit(2)
except SystemExit as e:
    print("caught SystemExit with code", e.code)
sys.exit("fatal: giving up")
print("not printed either")

# Output under CPython 3.11, and under gilsim on both engines:
# expect: worker runs
# expect: the worker ended quietly; main goes on
# expect: caught SystemExit with code 2
# expect error: fatal: giving up
