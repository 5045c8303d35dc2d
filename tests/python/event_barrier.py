# event_barrier.py: threading.Event as a start signal and threading.Barrier as a meeting point,
# the way course exercises use them: 5 runners wait for the starting gun (an Event), run legs of
# different lengths, then meet at a Barrier before the results are read.
#   python3 tests/python/event_barrier.py
#   gilsim run tests/python/event_barrier.py --engine sim --timeline race.html
import threading
import time

start_gun = threading.Event()
finish_line = threading.Barrier(5 + 1)  # the runners and the main thread
lock = threading.Lock()
arrivals = []
indices = []


def runner(number):
    start_gun.wait()  # blocks, GIL released, until the Event is set
    time.sleep(0.002 * (5 - number))
    with lock:
        arrivals.append(number)
    indices.append(finish_line.wait())  # wait() returns a distinct index 0..parties-1


runners = [threading.Thread(target=runner, args=(n,), name=f"runner-{n}") for n in range(5)]
for r in runners:
    r.start()
print("gun fired:", start_gun.is_set())
start_gun.set()
print("gun fired:", start_gun.is_set())
indices.append(finish_line.wait())
for r in runners:
    r.join()
print("everyone finished:", sorted(arrivals) == list(range(5)))
print("barrier indices:", sorted(indices))
print("barrier parties:", finish_line.parties, "broken:", finish_line.broken)
print("wait with a timeout on an unset Event:", threading.Event().wait(timeout=0.01))

# A Barrier that times out is broken, as the docs say: every waiter gets BrokenBarrierError.
short = threading.Barrier(2, timeout=0.01)
try:
    short.wait()
except threading.BrokenBarrierError:
    print("BrokenBarrierError; broken:", short.broken)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: gun fired: False
# expect: gun fired: True
# expect: everyone finished: True
# expect: barrier indices: [0, 1, 2, 3, 4, 5]
# expect: barrier parties: 6 broken: False
# expect: wait with a timeout on an unset Event: False
# expect: BrokenBarrierError; broken: True
