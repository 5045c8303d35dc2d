# queue_docs_worker.py: the example of the queue module's documentation: a daemon worker thread
# takes items off a Queue, the main thread puts 30 items and waits in q.join() until every item
# has been marked done with task_done(). One worker, so the output order is fixed.
#   python3 tests/python/queue_docs_worker.py
#   gilsim run tests/python/queue_docs_worker.py --engine sim
import threading
import queue

q = queue.Queue()


def worker():
    while True:
        item = q.get()
        print(f"Working on {item}")
        print(f"Finished {item}")
        q.task_done()


# Turn-on the worker thread.
threading.Thread(target=worker, daemon=True).start()

# Send thirty task requests to the worker.
for item in range(30):
    q.put(item)

# Block until all tasks are done.
q.join()
print("All work completed")

# Output under CPython 3.11, and under gilsim on both engines:
# expect: Working on 0
# expect: Finished 0
# expect: Working on 1
# expect: Finished 1
# expect: Working on 2
# expect: Finished 2
# expect: Working on 3
# expect: Finished 3
# expect: Working on 4
# expect: Finished 4
# expect: Working on 5
# expect: Finished 5
# expect: Working on 6
# expect: Finished 6
# expect: Working on 7
# expect: Finished 7
# expect: Working on 8
# expect: Finished 8
# expect: Working on 9
# expect: Finished 9
# expect: Working on 10
# expect: Finished 10
# expect: Working on 11
# expect: Finished 11
# expect: Working on 12
# expect: Finished 12
# expect: Working on 13
# expect: Finished 13
# expect: Working on 14
# expect: Finished 14
# expect: Working on 15
# expect: Finished 15
# expect: Working on 16
# expect: Finished 16
# expect: Working on 17
# expect: Finished 17
# expect: Working on 18
# expect: Finished 18
# expect: Working on 19
# expect: Finished 19
# expect: Working on 20
# expect: Finished 20
# expect: Working on 21
# expect: Finished 21
# expect: Working on 22
# expect: Finished 22
# expect: Working on 23
# expect: Finished 23
# expect: Working on 24
# expect: Finished 24
# expect: Working on 25
# expect: Finished 25
# expect: Working on 26
# expect: Finished 26
# expect: Working on 27
# expect: Finished 27
# expect: Working on 28
# expect: Finished 28
# expect: Working on 29
# expect: Finished 29
# expect: All work completed
