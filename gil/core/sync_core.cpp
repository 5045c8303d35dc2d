#include "gil/core/sync_core.h"

#include <algorithm>
#include <unordered_map>

#include "gil/core/process_copy.h"

namespace gilsim {

namespace {

void remove_waiter(std::deque<int>& waiters, int thread) {
  waiters.erase(std::remove(waiters.begin(), waiters.end(), thread), waiters.end());
}

}  // namespace

bool lock_try_acquire(LockObj& l, int thread) {
  if (l.owner >= 0) return false;
  l.owner = thread;
  return true;
}

bool lock_release(LockObj& l, int& wake) {
  wake = -1;
  if (l.owner < 0) return false;
  // Handing it over instead would make every acquisition wait for a wake-up: a lock convoy.
  l.owner = -1;
  if (!l.waiters.empty()) wake = l.waiters.front();
  return true;
}

int queue_put(QueueObj& q, Value item, int gil) {
  q.items.push_back(std::move(item));
  q.item_gils.push_back(gil);
  return q.waiters.empty() ? -1 : q.waiters.front();
}

Value queue_take(QueueObj& q, int gil) {
  Value v = std::move(q.items.front());
  int from = q.item_gils.front();
  q.items.pop_front();
  q.item_gils.pop_front();
  if (from != gil) {
    std::unordered_map<const Obj*, Value> copied;
    v = copy_for_process(v, copied);
  }
  return v;
}

void begin_wait(const Wait& w, int thread) {
  if (w.reason == Reason::Lock) static_cast<LockObj*>(w.object)->waiters.push_back(thread);
  if (w.reason == Reason::Queue) static_cast<QueueObj*>(w.object)->waiters.push_back(thread);
}

bool ready(const Wait& w, const std::function<bool(int)>& done) {
  switch (w.reason) {
    case Reason::Join:
      return done(w.thread);
    case Reason::Lock:
      return static_cast<const LockObj*>(w.object)->owner < 0;
    case Reason::Queue:
      return !static_cast<const QueueObj*>(w.object)->items.empty();
    default:
      return true;
  }
}

int complete_wait(const Wait& w, int thread, int gil, Value* item) {
  if (w.reason == Reason::Lock) {
    auto* l = static_cast<LockObj*>(w.object);
    remove_waiter(l->waiters, thread);
    l->owner = thread;
  } else if (w.reason == Reason::Queue) {
    auto* q = static_cast<QueueObj*>(w.object);
    remove_waiter(q->waiters, thread);
    *item = queue_take(*q, gil);
    // Another getter may be waiting for the next item.
    if (!q->items.empty() && !q->waiters.empty()) return q->waiters.front();
  }
  return -1;
}

void abandon_wait(const Wait& w, int thread) {
  if (w.reason == Reason::Lock) remove_waiter(static_cast<LockObj*>(w.object)->waiters, thread);
  if (w.reason == Reason::Queue) remove_waiter(static_cast<QueueObj*>(w.object)->waiters, thread);
}

std::int64_t wait_object_id(const Wait& w) {
  if (w.reason == Reason::Lock) return static_cast<const LockObj*>(w.object)->id;
  if (w.reason == Reason::Queue) return static_cast<const QueueObj*>(w.object)->id;
  return w.thread;
}

}  // namespace gilsim
