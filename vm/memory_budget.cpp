#include "vm/memory_budget.h"

#include <fmt/format.h>

#include <algorithm>

#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/objects.h"
#include "vm/thread_state.h"

namespace gilsim {

bool MemoryBudget::try_charge(std::int64_t bytes) {
  std::int64_t now = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  if (bytes > 0 && limit_ != 0 && now > static_cast<std::int64_t>(limit_)) {
    used_.fetch_sub(bytes, std::memory_order_relaxed);
    return false;
  }
  std::int64_t peak = peak_.load(std::memory_order_relaxed);
  while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  return true;
}

bool MemoryBudget::fits(std::uint64_t bytes) const {
  if (limit_ == 0) return true;
  auto used = static_cast<std::uint64_t>(std::max<std::int64_t>(0, this->used()));
  return bytes <= limit_ && used <= limit_ - bytes;
}

namespace {

[[noreturn]] void out_of_memory(const MemoryBudget& budget) {
  // CPython's MemoryError has no message; this one says which ceiling and how to move it.
  raise("MemoryError",
        fmt::format("the run's objects would pass --max-memory ({} bytes)", budget.limit()));
}

}  // namespace

void require_memory(ThreadState& ts, std::uint64_t bytes) {
  MemoryBudget& budget = ts.interp.limits->memory();
  if (!budget.fits(bytes)) out_of_memory(budget);
}

void charge_memory(ThreadState& ts, Obj& obj, std::int64_t bytes) {
  MemoryBudget& budget = ts.interp.limits->memory();
  MemoryBudget* owner = obj.budget_.load(std::memory_order_acquire);
  if (owner == nullptr) {
    if (bytes <= 0) return;  // nothing was charged to it: nothing to give back
    if (obj.budget_.compare_exchange_strong(owner, &budget, std::memory_order_acq_rel))
      budget.hold();
    else if (owner != &budget)
      return;  // charged to another run's budget (tests only): leave it there
  } else if (owner != &budget) {
    return;
  }
  // Never give back more than was charged: keys a dict had before a script thread charged it
  // (an engine's copy) were never counted.
  if (bytes < 0) bytes = -std::min(-bytes, obj.charged_.load(std::memory_order_relaxed));
  if (!budget.try_charge(bytes)) out_of_memory(budget);
  obj.charged_.fetch_add(bytes, std::memory_order_relaxed);
}

std::int64_t str_bytes(std::uint64_t len) {
  return static_cast<std::int64_t>(sizeof(StrObj) + len);
}

std::int64_t list_bytes(std::uint64_t n) {
  return static_cast<std::int64_t>(sizeof(ListObj) + n * sizeof(Value));
}

std::int64_t tuple_bytes(std::uint64_t n) {
  return static_cast<std::int64_t>(sizeof(TupleObj) + n * sizeof(Value));
}
std::int64_t dict_key_bytes() {
  // An entry and about two index slots (the index is kept at most 2/3 full).
  return static_cast<std::int64_t>(sizeof(HashTable::Entry) + 2 * sizeof(std::int64_t));
}
std::int64_t set_key_bytes() { return static_cast<std::int64_t>(2 * sizeof(SetTable::Slot)); }

Value new_str(ThreadState& ts, std::string text) {
  std::int64_t bytes = str_bytes(text.size());
  Value v = make_str(std::move(text));
  charge_memory(ts, *v.as_obj(), bytes);
  return v;
}

Value new_list(ThreadState& ts, std::vector<Value> items) {
  std::int64_t bytes = list_bytes(items.size());
  Value v = make_list(std::move(items));
  charge_memory(ts, *v.as_obj(), bytes);
  return v;
}

Value new_tuple(ThreadState& ts, std::vector<Value> items) {
  std::int64_t bytes = tuple_bytes(items.size());
  Value v = make_tuple(std::move(items));
  charge_memory(ts, *v.as_obj(), bytes);
  return v;
}

namespace {

// The budget objects made on this OS thread are tracked in: set by RunObjects while script code
// runs, null elsewhere (the compiler's constants and the engines' own objects are not tracked).
thread_local MemoryBudget* t_run_objects = nullptr;

bool can_hold_references(ObjType type) {
  switch (type) {
    case ObjType::Str:
    case ObjType::Bytes:
    case ObjType::Range:
    case ObjType::Slice:
    case ObjType::Iterator:
    case ObjType::Thread:
    case ObjType::Lock:
      return false;
    default:
      return true;
  }
}

}  // namespace

RunObjects::RunObjects(MemoryBudget* budget) : outer_(t_run_objects) { t_run_objects = budget; }
RunObjects::~RunObjects() { t_run_objects = outer_; }

namespace {
void track_in_run(Obj& obj) {
  if (t_run_objects->track(obj))
    if (ThreadState* ts = running_thread())
      ts->eval_breaker.fetch_or(ThreadState::kCollectCycles, std::memory_order_relaxed);
}
}  // namespace

void track_new_object(Obj& obj) {
  if (t_run_objects != nullptr && can_hold_references(obj.type)) track_in_run(obj);
}

void track_holder(Obj& obj) {
  if (t_run_objects != nullptr) track_in_run(obj);
}

bool MemoryBudget::track(Obj& obj) {
  // The object now belongs to this run as if charged (charge_memory finds it here already).
  obj.budget_.store(this, std::memory_order_release);
  hold();
  std::lock_guard<std::mutex> lock(objects_mu_);
  obj.tracked_ = true;
  obj.run_next_ = objects_;
  if (objects_ != nullptr) objects_->run_prev_ = &obj;
  objects_ = &obj;
  return ++pending_ > threshold_;
}

void MemoryBudget::untrack(Obj& obj) {
  std::lock_guard<std::mutex> lock(objects_mu_);
  if (obj.run_prev_ != nullptr)
    obj.run_prev_->run_next_ = obj.run_next_;
  else
    objects_ = obj.run_next_;
  if (obj.run_next_ != nullptr) obj.run_next_->run_prev_ = obj.run_prev_;
  if (pending_ > 0) --pending_;
}

std::vector<Obj*> MemoryBudget::hold_all() {
  std::vector<Obj*> held;
  std::lock_guard<std::mutex> lock(objects_mu_);
  for (Obj* o = objects_; o != nullptr; o = o->run_next_)
    if (o->try_hold()) held.push_back(o);
  return held;
}

void MemoryBudget::collected(size_t survivors) {
  std::lock_guard<std::mutex> lock(objects_mu_);
  pending_ = 0;
  threshold_ = std::max(kFirstThreshold, static_cast<std::int64_t>(survivors));
}

void MemoryBudget::break_cycles() {
  // Each object is held while every one is cleared, so none is freed under our feet; the last
  // decref then frees each, and untrack() takes the mutex again, so it is not held meanwhile.
  std::vector<Obj*> alive = hold_all();
  for (Obj* o : alive) o->clear_refs();
  for (Obj* o : alive) o->decref();
}

Obj::~Obj() {
  if (MemoryBudget* budget = budget_.load(std::memory_order_acquire)) {
    if (tracked_) budget->untrack(*this);
    budget->give_back(charged_.load(std::memory_order_relaxed));
    budget->unhold();
  }
}

}  // namespace gilsim
