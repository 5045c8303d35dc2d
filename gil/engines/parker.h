// Parker: how one script thread of the threads engine sleeps and is woken (a futex word, as Rust's
// std::thread::park and Java's LockSupport.park do it).
//
// Why not a condition variable on the engine's mutex: the GIL hand-off wakes the next thread and
// then sleeps itself, and a condition variable can only be slept on with the mutex held, so the
// wake-up had to be sent with the mutex still held. On one core the woken thread, which hardly ran
// during the holder's switch interval, preempts the waker at once, finds the mutex taken, sleeps
// on it and hands the core back. A Parker keeps its wake-up in its own word, so a thread lets go of
// the mutex first, then wakes the next and sleeps (wait(lk, meanwhile)): one context switch,
// whichever thread runs first.
//
// Contract, a condition variable's: the thread that owns the Parker alone waits on it, holding the
// mutex that guards what it waits for, in a loop that re-checks that under the mutex; any thread
// may notify it, with or without the mutex, after changing that state under the mutex. A wait
// counts only the notifies that come once it has begun (it clears the word with the mutex still
// held): an earlier one announced a change the owner's check has already seen. One that comes
// between letting go of the mutex and sleeping is kept: the sleep does not begin.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace gilsim {

class Parker {
 public:
  struct Nothing {
    void operator()() const {}
  };

  // Wakes the owner if it sleeps; else its next wait returns at once.
  void notify() {
    if (state_.exchange(kNotified, std::memory_order_release) == kParked)
      futex(FUTEX_WAKE_PRIVATE, 1, nullptr);
  }

  // Owner: lets go of `lk`, runs `meanwhile` (the hand-off: wake the thread handed the GIL, now
  // that the mutex is free), sleeps until notified (or spuriously), and takes `lk` again.
  template <class Meanwhile = Nothing>
  void wait(std::unique_lock<std::mutex>& lk, Meanwhile&& meanwhile = {}) {
    state_.store(kEmpty, std::memory_order_relaxed);
    lk.unlock();
    meanwhile();
    park(nullptr);
    lk.lock();
  }

  // The same, or until `deadline` (steady_clock is CLOCK_MONOTONIC, the futex's clock).
  template <class Meanwhile = Nothing>
  void wait_until(std::unique_lock<std::mutex>& lk, std::chrono::steady_clock::time_point deadline,
                  Meanwhile&& meanwhile = {}) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch());
    timespec at{};
    if (ns.count() > 0) {
      at.tv_sec = static_cast<time_t>(ns.count() / 1'000'000'000);
      at.tv_nsec = static_cast<long>(ns.count() % 1'000'000'000);
    }
    state_.store(kEmpty, std::memory_order_relaxed);
    lk.unlock();
    meanwhile();
    park(&at);
    lk.lock();
  }

 private:
  static constexpr std::int32_t kParked = -1, kEmpty = 0, kNotified = 1;

  long futex(int op, std::int32_t value, const timespec* deadline) {
    // FUTEX_WAIT_BITSET takes an absolute time (FUTEX_WAIT a relative one); the mask is unused.
    return syscall(SYS_futex, &state_, op, value, deadline, nullptr, FUTEX_BITSET_MATCH_ANY);
  }

  void park(const timespec* deadline) {
    // kNotified -> kEmpty: a notify came meanwhile, no sleep. Else kEmpty -> kParked and sleep
    // while it stays so (the kernel compares the word first: a notify in between is not lost).
    if (state_.fetch_sub(1, std::memory_order_acquire) == kNotified) return;
    if (deadline)
      futex(FUTEX_WAIT_BITSET_PRIVATE, kParked, deadline);
    else
      futex(FUTEX_WAIT_PRIVATE, kParked, nullptr);
    state_.exchange(kEmpty, std::memory_order_acquire);  // woken, timed out or spurious
  }

  std::atomic<std::int32_t> state_{kEmpty};
};

}  // namespace gilsim
