#include "vm/direct_host.h"

#include <cstdio>
#include <thread>

#include "vm/errors.h"
#include "vm/sim_objects.h"
#include "vm/thread_state.h"

namespace gilsim {

DirectHost::DirectHost() : start_(std::chrono::steady_clock::now()) {}

void DirectHost::on_eval_breaker(ThreadState& ts) {
  ts.eval_breaker.store(0, std::memory_order_relaxed);
}

void DirectHost::on_tick(ThreadState& ts) { ts.ticker = INT64_MAX; }

void burn_cpu(double ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double, std::milli>(ms);
  volatile std::uint64_t sink = 0;
  while (std::chrono::steady_clock::now() < until)
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<std::uint64_t>(i);
}

void DirectHost::block(ThreadState&, Blocking kind, double ms) {
  if (kind == Blocking::Native || kind == Blocking::NativeHold)
    burn_cpu(ms);
  else
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
}

double DirectHost::now_ms(ThreadState&) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
      .count();
}

void DirectHost::write_output(ThreadState&, std::string_view text) {
  if (echo_)
    std::fwrite(text.data(), 1, text.size(), stdout);
  else
    output_ += text;
}

Value DirectHost::spawn(ThreadState&, const Value&, std::vector<Value>, bool process) {
  raise("RuntimeError", std::string(process ? "spawn_process" : "spawn") +
                            "() needs an engine with threads; this host runs one thread only");
}

void DirectHost::join(ThreadState&, const Value&) {}

Value DirectHost::make_lock(ThreadState&) { return Value::adopt(new LockObj()); }

bool DirectHost::lock_acquire(ThreadState& ts, const Value& lock, bool blocking) {
  auto* l = lock.as<LockObj>();
  if (l->owner < 0) {
    l->owner = ts.id;
    return true;
  }
  if (!blocking) return false;
  raise("RuntimeError", "deadlock: the only thread waits for a Lock it already holds");
}

void DirectHost::lock_release(ThreadState&, const Value& lock) {
  auto* l = lock.as<LockObj>();
  if (l->owner < 0) raise("RuntimeError", "release unlocked lock");
  l->owner = -1;
}

Value DirectHost::make_queue(ThreadState&) { return Value::adopt(new QueueObj()); }

void DirectHost::queue_put(ThreadState&, const Value& queue, Value item) {
  queue.as<QueueObj>()->items.push_back(std::move(item));
  queue.as<QueueObj>()->item_gils.push_back(0);
}

Value DirectHost::queue_get(ThreadState&, const Value& queue) {
  auto* q = queue.as<QueueObj>();
  if (q->items.empty()) raise("RuntimeError", "deadlock: the only thread waits on an empty Queue");
  Value v = std::move(q->items.front());
  q->items.pop_front();
  q->item_gils.pop_front();
  return v;
}

bool DirectHost::queue_empty(ThreadState&, const Value& queue) {
  return queue.as<QueueObj>()->items.empty();
}

}  // namespace gilsim
