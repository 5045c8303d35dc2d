# process_docs.py: the Process examples of the multiprocessing documentation: a child process runs
# f, the parent waits in join() (with its GIL released) and reads the exit code. A second child
# sends a result back through a multiprocessing.Queue.
#   python3 tests/python/process_docs.py
#   gilsim run tests/python/process_docs.py --engine sim
from multiprocessing import Process, Queue, current_process


def f(name):
    print("hello", name, "from", current_process().name)


def square_into(q, n):
    q.put(n * n)


if __name__ == "__main__":
    print("parent is", current_process().name, flush=True)
    p = Process(target=f, args=("bob",))
    p.start()
    p.join()
    print("exit code", p.exitcode)

    q = Queue()
    p = Process(target=square_into, args=(q, 12))
    p.start()
    print("got", q.get())
    p.join()
    print("alive after join:", p.is_alive(), "exit code", p.exitcode)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: parent is MainProcess
# expect: hello bob from Process-1
# expect: exit code 0
# expect: got 144
# expect: alive after join: False exit code 0
