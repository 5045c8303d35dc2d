# process_fork_copy.py: a child process gets a copy of its parent's objects, as a fork gives it:
# what it changes in a list or in an instance of a user class is not seen by the parent.
#   python3 tests/python/process_fork_copy.py
#   gilsim run tests/python/process_fork_copy.py --engine sim
from multiprocessing import Process


class Box:
    def __init__(self):
        self.v = 0
        self.items = []
        self.me = self


box = Box()
pair = [box, Box()]


def child(other):
    box.v = 1
    box.items.append("child")
    other.v = 2
    print("child", box.v, box.items, box.me is box, pair[0] is box, other.v)  # expect: child 1 ['child'] True True 2


if __name__ == "__main__":
    p = Process(target=child, args=(pair[1],))
    p.start()
    p.join()
    print("instance", box.v, box.items, box.me is box, pair[1].v)  # expect: instance 0 [] True 0
