# daemon_threads.py: a daemon thread does not keep the program alive. The heartbeat below loops for
# ever; the program still ends when the main thread does (a non-daemon thread would keep it
# running, and a deadlock detector would say so).
#   python3 tests/python/daemon_threads.py
#   gilsim run tests/python/daemon_threads.py --engine sim
import threading
import time

beats = []
started = threading.Event()


def heartbeat():
    started.set()
    while True:
        beats.append(time.monotonic())
        time.sleep(0.005)


hb = threading.Thread(target=heartbeat, daemon=True)
print("daemon:", hb.daemon)
hb.start()
started.wait()
time.sleep(0.05)
print("heartbeat alive:", hb.is_alive(), "beats seen:", len(beats) > 1)

inherited = []


def spawner():
    child = threading.Thread(target=lambda: None)
    inherited.append(child.daemon)  # a thread inherits daemon from the thread that creates it


d = threading.Thread(target=spawner, daemon=True)
d.start()
d.join()
print("child of a daemon is a daemon:", inherited[0])
try:
    hb.daemon = False
except RuntimeError as e:
    print("RuntimeError:", e)
print("main thread done")

# Output under CPython 3.11, and under gilsim on both engines:
# expect: daemon: True
# expect: heartbeat alive: True beats seen: True
# expect: child of a daemon is a daemon: True
# expect: RuntimeError: cannot set daemon status of active thread
# expect: main thread done
