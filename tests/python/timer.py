# timer.py: threading.Timer, the docs' example (call a function after a delay) and a timer
# cancelled before it fires.
#   python3 tests/python/timer.py
#   gilsim run tests/python/timer.py --engine sim
import threading
import time

fired = []


def hello():
    fired.append("hello")
    print("hello, world")


t = threading.Timer(0.03, hello)
t.start()  # after 30 ms, "hello, world" is printed
print("timer started, fired yet:", fired)
t.join()
print("fired:", fired)

late = threading.Timer(10.0, hello)
late.start()
time.sleep(0.005)
late.cancel()
late.join()
print("cancelled timer fired:", len(fired) > 1, "alive:", late.is_alive())

args_timer = threading.Timer(0.001, print, args=("with", "arguments"), kwargs={"sep": "-"})
args_timer.start()
args_timer.join()

# Output under CPython 3.11, and under gilsim on both engines:
# expect: timer started, fired yet: []
# expect: hello, world
# expect: fired: ['hello']
# expect: cancelled timer fired: False alive: False
# expect: with-arguments
