# thread_subclass.py: the other way to make a thread, as the threading docs describe it: subclass
# Thread and override run(). Also the names CPython gives: "Thread-N" for a subclass without a
# target, "Thread-N (f)" for a target function, and a name given by the caller.
#   python3 tests/python/thread_subclass.py
#   gilsim run tests/python/thread_subclass.py --engine sim
import threading
import time


class Downloader(threading.Thread):
    def __init__(self, url, delay):
        super().__init__()
        self.url = url
        self.delay = delay
        self.size = None

    def run(self):
        time.sleep(self.delay)  # the download: GIL released
        self.size = len(self.url) * 100


class Named(threading.Thread):
    def run(self):
        self.result = threading.current_thread().name


def noop():
    pass


workers = [Downloader(f"https://example.com/{n}", 0.001 * n) for n in range(3)]
for w in workers:
    w.start()
for w in workers:
    w.join()
for w in workers:
    print(w.name, w.url, w.size)

t = threading.Thread(target=noop)
n = Named(name="custom-name")
n.start()
n.join()
print(t.name, "|", n.result, "|", n.name)
print("daemon by default:", t.daemon, "started:", t.is_alive(), "ident before start:", t.ident)
t.start()
t.join()
print("ident is an int after start:", isinstance(t.ident, int))

# Output under CPython 3.11, and under gilsim on both engines:
# expect: Thread-1 https://example.com/0 2100
# expect: Thread-2 https://example.com/1 2100
# expect: Thread-3 https://example.com/2 2100
# expect: Thread-4 (noop) | custom-name | custom-name
# expect: daemon by default: False started: False ident before start: None
# expect: ident is an int after start: True
