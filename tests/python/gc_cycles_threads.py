# gc_cycles_threads.py: four threads build and drop reference cycles (a tree whose nodes point back
# at their parent, the way a parser or a scene graph does) and pass some of them to each other
# through a queue, while gc collects them: the results are the same as with one thread, and the
# program runs in flat memory however many rounds it does.
#   python3 tests/python/gc_cycles_threads.py
#   gilsim run tests/python/gc_cycles_threads.py --engine sim
import gc
import queue
import threading


class Node:
    def __init__(self, parent, depth):
        self.parent = parent
        self.children = []
        if depth > 0:
            for i in range(2):
                self.children.append(Node(self, depth - 1))

    def size(self):
        return 1 + sum(c.size() for c in self.children)


handoff = queue.Queue()
totals = {}
lock = threading.Lock()


def worker(name, rounds):
    total = 0
    for r in range(rounds):
        tree = Node(None, 4)
        total += tree.size()
        if r % 50 == 0:
            handoff.put(tree)  # another thread drops it
        try:
            got = handoff.get_nowait()  # not empty() then get(): another thread may take it between
        except queue.Empty:
            continue
        total += got.children[0].parent.size()
    with lock:
        totals[name] = total


threads = [threading.Thread(target=worker, args=(f"w{i}", 400)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
while not handoff.empty():
    handoff.get()
print(sorted(totals) == ["w0", "w1", "w2", "w3"])  # expect: True
print(all(total >= 400 * 31 for total in totals.values()))  # expect: True
gc.collect()
print(gc.collect())  # expect: 0
