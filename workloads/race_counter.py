# race_counter.py: lost updates. `threads` threads (default 4) each add 1 to a shared global
# `n` times (default 1,000,000), in three ways, and the script prints expected vs got for each:
#   counter = counter + one()   a call between the load and the store of `counter`
#   counter += 1                no call inside: LOAD_GLOBAL, LOAD_CONST, INPLACE_ADD, STORE_GLOBAL
#   with lock: counter += 1     the fix: the read-modify-write happens under a Lock
#   gilsim run workloads/race_counter.py                  (modern)
#   gilsim run workloads/race_counter.py --policy legacy -D n=50000  (Python <= 3.1)
#   gilsim run workloads/race_counter.py --policy none -D n=50000    (free-threaded)
#   PYTHONPATH=tools/python python3 workloads/race_counter.py
# The GIL makes each bytecode atomic, not each statement. A thread loses updates when it is
# switched out after loading `counter` and before storing it back: another thread stores in the
# meantime, and the first then overwrites that with its stale sum.
#   modern (CPython 3.10+): a thread is asked to drop the GIL only at safe points: loop back edges,
#     function entry and calls. `counter + one()` calls one(), which is such a point, between the
#     load and the store: at each switch there, the thread later stores a stale sum and wipes out
#     what the others added meanwhile (about half of all updates here). `counter += 1` has no safe
#     point inside, so under modern (and CPython 3.10+) it happens not to race: got == expected.
#     That is an accident of where the interpreter checks, not a guarantee.
#   legacy (Python <= 3.1; CPython 3.2-3.9 also checked at almost every instruction): ticks count
#     at instruction boundaries, so a switch can fall inside `+=`, which loses updates too.
#   none (free-threaded): threads really run at once, so plain `+=` races as well.
# The Lock version is right under every policy.
# (The CPython and threads-engine figures were measured on the earlier form of this file,
# race_counter.gil: the same work written with gilsim's builtins (spawn(), Queue(), Lock()) for
# threading and queue; the --engine sim figures are this file's.)
# Measured on the project's 2-core VM, shared with other work (median of 3 runs; the counts vary
# from run to run). Defaults (4 x 1,000,000 = 4,000,000 updates):
#   CPython 3.11:         + one(): 2,105,000 lost;  +=: 0 lost;  with lock: 0 lost (0.83 s)
#   gilsim modern:        + one(): 2,070,000 lost;  +=: 0 lost;  with lock: 0 lost (0.65 s)
# With -D n=50000 (200,000 updates; too short for a 5 ms switch interval to fall inside):
#   CPython 3.11, modern: 0 lost in every form
#   gilsim legacy:        + one(): 136,000 lost;    +=: 28,000 lost;   with lock: 0 lost (2.9 s!)
#   gilsim none:          + one(): 85,000 lost;     +=: 112,000 lost;  with lock: 0 lost (3.1 s!)
# Under legacy and none the Lock version is ~100x slower than under modern: gilsim hands a
# released Lock to its longest waiter, so with 4 threads fighting for it every release wakes a
# sleeping thread (a lock convoy). Keep n small there.
#   gilsim --engine sim --cores 2 -D threads=2: modern -D n=200000: + one() 53,799 of 400,000
#                         lost, += and lock 0; none -D n=20000: 16,740 and 9,199 lost, lock 0

import time
from threading import Lock, Thread

from gilsim import param

counter = 0


def one():
    return 1


def add_with_call(n):
    global counter
    for i in range(n):
        counter = counter + one()


def add_inplace(n):
    global counter
    for i in range(n):
        counter += 1


def add_locked(n, lock):
    global counter
    for i in range(n):
        with lock:
            counter += 1


def run(label, work, *extra):
    global counter
    counter = 0
    t0 = time.perf_counter()
    pool = [Thread(target=work, args=(n, *extra)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    secs = time.perf_counter() - t0
    expected = threads * n
    print(label, "expected", str(expected) + ", got", str(counter) + ", lost", expected - counter, "(" + str(round(secs, 3)), "s)")


threads = param("threads", 4)
n = param("n", 1000000)
run("counter = counter + one():", add_with_call)
run("counter += 1:", add_inplace)
run("with lock: counter += 1:", add_locked, Lock())
