# condition_bounded_buffer.py: the course exercise for threading.Condition: a bounded buffer of 4
# slots, one producer and one consumer. The producer waits while the buffer is full, the consumer
# while it is empty; each notifies the other. wait_for() is the docs' form of the while loop.
#   python3 tests/python/condition_bounded_buffer.py
#   gilsim run tests/python/condition_bounded_buffer.py --engine sim --timeline buffer.html
import threading
import time


class BoundedBuffer:
    def __init__(self, capacity):
        self.capacity = capacity
        self.items = []
        self.cond = threading.Condition()
        self.high_water = 0

    def put(self, item):
        with self.cond:
            while len(self.items) >= self.capacity:
                self.cond.wait()
            self.items.append(item)
            self.high_water = max(self.high_water, len(self.items))
            self.cond.notify_all()

    def get(self):
        with self.cond:
            self.cond.wait_for(lambda: len(self.items) > 0)
            item = self.items.pop(0)
            self.cond.notify_all()
            return item


buf = BoundedBuffer(4)
consumed = []


def producer(n):
    for i in range(n):
        buf.put(i * i)
    buf.put(None)  # the end of the stream


def consumer():
    while True:
        item = buf.get()
        if item is None:
            break
        time.sleep(0.001)  # the consumer is slower: the buffer fills up
        consumed.append(item)


threads = [threading.Thread(target=producer, args=(40,)), threading.Thread(target=consumer)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("consumed", len(consumed), "items, in order:", consumed == [i * i for i in range(40)])
print("sum:", sum(consumed))
print("the buffer never held more than", buf.capacity, "items:", buf.high_water <= buf.capacity)
print("and it filled up:", buf.high_water == buf.capacity)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: consumed 40 items, in order: True
# expect: sum: 20540
# expect: the buffer never held more than 4 items: True
# expect: and it filled up: True
