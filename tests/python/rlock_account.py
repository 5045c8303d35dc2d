# rlock_account.py: an RLock lets the thread that holds it take it again: a class whose locked
# methods call each other. With a plain Lock, transfer() would deadlock on its own lock.
#   python3 tests/python/rlock_account.py
#   gilsim run tests/python/rlock_account.py --engine sim
import threading


class Account:
    def __init__(self, balance):
        self.balance = balance
        self.lock = threading.RLock()

    def deposit(self, amount):
        with self.lock:
            self.balance += amount

    def withdraw(self, amount):
        with self.lock:
            if amount > self.balance:
                raise ValueError("insufficient funds")
            self.balance -= amount

    def transfer(self, other, amount):
        with self.lock:  # held here, and taken again inside withdraw()
            self.withdraw(amount)
        # Outside: a.transfer(b) holding a's lock while taking b's, beside b.transfer(a) holding
        # b's while taking a's, is the classic lock-order deadlock (gilsim reports the cycle).
        other.deposit(amount)


a = Account(1000)
b = Account(1000)


def shuffle_money(n):
    for i in range(n):
        a.transfer(b, 3)
        b.transfer(a, 2)


threads = [threading.Thread(target=shuffle_money, args=(100,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("a:", a.balance, "b:", b.balance, "total:", a.balance + b.balance)

lock = threading.RLock()
lock.acquire()
lock.acquire()
lock.release()
lock.release()
try:
    lock.release()
except RuntimeError as e:
    print("RuntimeError:", e)

# Output under CPython 3.11, and under gilsim on both engines:
# expect: a: 600 b: 1400 total: 2000
# expect: RuntimeError: cannot release un-acquired lock
