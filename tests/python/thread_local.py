# thread_local.py: threading.local, one value per thread: each thread sees only what it stored,
# and the main thread's value is untouched.
#   python3 tests/python/thread_local.py
#   gilsim run tests/python/thread_local.py --engine sim
import threading
import time

mydata = threading.local()
mydata.number = 42
results = {}
lock = threading.Lock()


def work(n):
    print_missing = not hasattr(mydata, "number")
    mydata.number = n
    mydata.squares = []
    for i in range(5):
        mydata.squares.append(i * n)
        time.sleep(0.001)  # another thread runs meanwhile and sets its own values
    with lock:
        results[threading.current_thread().name] = (print_missing, mydata.number, sum(mydata.squares))


threads = [threading.Thread(target=work, args=(n,), name=f"worker-{n}") for n in range(1, 5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for name in sorted(results):
    print(name, results[name])
print("main thread still sees", mydata.number, "and no squares:", not hasattr(mydata, "squares"))

# Output under CPython 3.11, and under gilsim on both engines:
# expect: worker-1 (True, 1, 10)
# expect: worker-2 (True, 2, 20)
# expect: worker-3 (True, 3, 30)
# expect: worker-4 (True, 4, 40)
# expect: main thread still sees 42 and no squares: True
