# children/sleeper.py: a child script for subprocess_errors.py (not a test of its own): a thread
# of its own sleeps sys.argv[1] seconds, then prints "slept"; the module ends first, and the
# child's exit waits for that thread, as python3's does.
import sys
import threading
import time


def nap():
    time.sleep(float(sys.argv[1]))
    print("slept")


threading.Thread(target=nap).start()
