# gilsim_annotations.py: the simulator-only calls, imported from the gilsim module. Under gilsim
# they are simulated work and annotations drawn in every output (marks, spans, counters in the
# timeline and the trace); under CPython, tools/python/gilsim.py makes them plain sleeps, calibrated
# CPU burns and no-ops, so the same file runs there:
#   PYTHONPATH=tools/python python3 tests/python/gilsim_annotations.py
#   gilsim run tests/python/gilsim_annotations.py --engine sim --timeline annotations.html
import threading
import queue
from gilsim import counter, io, mark, native, native_hold, param, span

jobs = queue.Queue()
done = []
workers = param("workers", 3)


def worker():
    while True:
        job = jobs.get()
        if job is None:
            break
        with span(f"job {job}"):  # a named slice on this thread's track
            io(2)                  # 2 ms of blocking I/O: the GIL released
            native(1)              # 1 ms of C code that releases the GIL
            native_hold(0.5)       # 0.5 ms of C code that keeps it
        done.append(job)
        counter("jobs done", len(done))


mark(f"{workers} workers")
pool = [threading.Thread(target=worker) for _ in range(workers)]
for t in pool:
    t.start()
for job in range(12):
    jobs.put(job)
    counter("queue depth", jobs.qsize())
for t in pool:
    jobs.put(None)
for t in pool:
    t.join()
mark("all done")
print("jobs done:", sorted(done) == list(range(12)), "by", workers, "workers")

# Output under CPython 3.11, and under gilsim on both engines:
# expect: jobs done: True by 3 workers
