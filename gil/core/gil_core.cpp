#include "gil/core/gil_core.h"

#include <algorithm>
#include <utility>

namespace gilsim {

GilCore::GilCore(std::unique_ptr<Policy> policy, Nanos switch_interval)
    : policy_(std::move(policy)), switch_interval_(switch_interval) {}

std::deque<Waiter>::iterator GilCore::position(int thread) {
  auto& ws = state_.waiters;
  auto t = static_cast<std::size_t>(thread);
  if (t >= seq_of_.size()) return ws.end();
  auto it = std::lower_bound(ws.begin(), ws.end(), seq_of_[t],
                             [](const Waiter& w, std::uint64_t s) { return w.seq < s; });
  return it != ws.end() && it->thread == thread ? it : ws.end();
}

Waiter* GilCore::find(int thread) {
  auto it = position(thread);
  return it == state_.waiters.end() ? nullptr : &*it;
}

GilStep GilCore::request(int thread, Reason why, Nanos now) {
  GilStep step;
  GilState& s = state_;
  if (!policy_->exclusive()) {
    set_free_running(thread, true);
    step.granted = true;
    return step;
  }
  if (stopping_ == 0 && policy_->may_take_now(s, thread, why)) {
    grant(thread, now, step);
    return step;
  }
  auto t = static_cast<std::size_t>(thread);
  if (t >= seq_of_.size()) seq_of_.resize(t + 1, 0);
  seq_of_[t] = ++requests_;
  s.waiters.push_back(
      Waiter{thread, now, why, s.switch_number, now, kForever, requests_, false, false});
  // A second waiter: the lone one's timeouts may count again (its request could be granted, or
  // handed past it): wake it to wait on its timer.
  if (idle_sleeper_ >= 0) step.wake.add(std::exchange(idle_sleeper_, -1));
  if (policy_->on_request(s, s.waiters.back(), now)) set_drop_request(step);
  check(thread, now, /*woken=*/false, step);
  return step;
}

GilStep GilCore::wake_up(int thread, Nanos now) {
  GilStep step;
  check(thread, now, /*woken=*/true, step);
  return step;
}

void GilCore::check(int thread, Nanos now, bool woken, GilStep& step) {
  GilState& s = state_;
  Waiter* w = find(thread);
  if (w && w->idle_timeouts) {
    w->idle_timeouts = false;
    if (idle_sleeper_ == thread) idle_sleeper_ = -1;
    skip_idle_timeouts(*w, now);
  }
  bool signalled = woken && w && w->signalled;
  bool timed_out =
      woken && w && !signalled && w->timeout != kForever && now - w->timer_start >= w->timeout;
  // "If we timed out and no switch occurred in the meantime, it is time to ask the GIL-holding
  // thread to drop it." (ceval_gil.c)
  if (timed_out && policy_->on_timeout(s, *w, now)) set_drop_request(step);
  if (s.holder == thread || (s.holder < 0 && stopping_ == 0 && policy_->may_take_free(s, thread))) {
    leave(thread, step.wake);
    grant(thread, now, step);
    return;
  }
  if (!w) return;  // not queued (the run is stopping): nothing to wait for
  if (signalled && s.holder >= 0) step.failed_acquire = s.holder;
  // Neither a signal nor its timeout (a spurious wake-up, a late notification): the interval
  // goes on from where it started. Restarting it here made the drop request come late.
  if (woken && !signalled && !timed_out && w->timeout == policy_->wait_timeout(s, *w)) {
    wait_for_timeout(*w, step);
    return;
  }
  arm(*w, now, step);
}

void GilCore::arm(Waiter& w, Nanos now, GilStep& step) {
  w.switch_number = state_.switch_number;
  w.timer_start = now;
  w.timeout = policy_->wait_timeout(state_, w);
  w.signalled = false;
  wait_for_timeout(w, step);
}

void GilCore::wait_for_timeout(Waiter& w, GilStep& step) {
  const GilState& s = state_;
  step.wait_until = w.timeout == kForever ? kForever : w.timer_start + w.timeout;
  // Idle while the lone waiter's request stands with the holder: until a take (which resets the
  // request and the switch number) or another request, each timeout finds it made and re-arms.
  if (!idle_timeouts_ || w.timeout == kForever || !policy_->timeout_only_asks_to_drop() ||
      s.waiters.size() != 1 || s.holder < 0 || !s.drop_request || s.drop_target != s.holder)
    return;
  step.timeout_idle = true;
  w.idle_timeouts = true;
  idle_sleeper_ = w.thread;
}

void GilCore::skip_idle_timeouts(Waiter& w, Nanos now) const {
  if (w.timeout == kForever || now - w.timer_start < w.timeout) return;
  Nanos last = w.timer_start + (now - w.timer_start) / w.timeout * w.timeout;
  w.timer_start = last;
  // A timeout after the holder's take re-armed with the new switch number. (The take is the one
  // that woke this thread, or none: held_since is then older than the wait.)
  if (last >= state_.held_since) w.switch_number = state_.switch_number;
}

void GilCore::grant(int thread, Nanos now, GilStep& step) {
  GilState& s = state_;
  s.holder = thread;
  // A take: the sleeper's next timeout may count again (the request is reset, the switch number
  // moves). Not the sleeper's own take: it is awake.
  if (idle_sleeper_ >= 0 && idle_sleeper_ != thread) step.wake.add(idle_sleeper_);
  idle_sleeper_ = -1;
  if (s.last_holder != thread) {
    ++s.switch_number;
    if (s.switch_waiter >= 0 && s.switch_waiter == s.last_holder)
      step.wake.add(s.switch_waiter);  // drop_gil's switch_cond
  }
  s.last_holder = thread;
  s.held_since = now;
  // take_gil's RESET_GIL_DROP_REQUEST, for the request this thread was not asked to honour. One
  // made to this very thread since the GIL was handed to it (io-priority: a thread back from I/O
  // while the hand-off is on its way) is its own: clearing it lost the request, and the I/O
  // thread waited a whole interval. CPython has no hand-off, so it never meets this case.
  if (s.drop_request && s.drop_target != thread) s.drop_request = false;
  step.granted = true;
  step.wait_until = kForever;
  step.breaker = s.drop_request;
}

void GilCore::set_drop_request(GilStep& step) {
  GilState& s = state_;
  if (s.holder < 0) return;
  if (!s.drop_request) step.new_drop_request = true;
  s.drop_request = true;
  s.drop_target = s.holder;
  step.drop_request_on = s.holder;
}

void GilCore::leave(int thread, Wakes& wake) {
  GilState& s = state_;
  auto it = position(thread);
  if (it == s.waiters.end()) return;
  bool was_head = it == s.waiters.begin();
  s.waiters.erase(it);
  // A new head may wait differently (gvl's designated timer): wake it to ask again, as Ruby's
  // gvl_acquire_common signals the next timer. Its wake-up is not a signal: no failed acquire.
  if (was_head && !s.waiters.empty()) {
    Waiter& head = s.waiters.front();
    if (policy_->wait_timeout(s, head) != head.timeout) wake.add(head.thread);
  }
}

GilRelease GilCore::release(int thread, Reason why, Nanos now) {
  GilRelease r;
  GilState& s = state_;
  if (free_running(thread)) {
    detach(thread, r.wake);
    return r;
  }
  if (!policy_->exclusive() || s.holder != thread) return r;  // (a stop raced with a hand-off)
  s.holder = -1;
  int next = policy_->hand_off(s, why, now);
  if (next >= 0) {
    // Ownership moves now (`next` records its Acquire when it wakes), and so does the switch: a
    // waiter whose timed wait starts meanwhile must see a fresh switch_number, or its first
    // timeout is wasted and the holder keeps the GIL for two intervals.
    s.holder = next;
    if (s.last_holder != next) ++s.switch_number;
    s.last_holder = next;
    r.wake = next;
    r.handed_off = true;
  } else if (!s.waiters.empty() && policy_->signals_release(why)) {
    r.wake = s.waiters.front().thread;  // COND_SIGNAL(gil->cond): wake one waiter
  }
  if (Waiter* w = r.wake >= 0 ? find(r.wake) : nullptr) w->signalled = true;
  // drop_gil with FORCE_SWITCHING: having dropped on request, wait until another thread has
  // taken the GIL, so this one cannot win it straight back.
  if (why == Reason::DropRequest && policy_->forced_switching() && s.drop_request &&
      !s.waiters.empty()) {
    s.drop_request = false;  // RESET_GIL_DROP_REQUEST before COND_WAIT(switch_cond)
    r.forced_switch = true;
    if (s.last_holder == thread) {
      s.switch_waiter = thread;
      r.wait_for_switch = true;
    }
  }
  return r;
}

bool GilCore::switch_pending(int thread) const {
  return state_.switch_waiter == thread && state_.last_holder == thread && !state_.waiters.empty();
}

void GilCore::end_switch_wait(int thread) {
  if (state_.switch_waiter == thread) state_.switch_waiter = -1;
}

int GilCore::abandon(int thread) {
  if (idle_sleeper_ == thread) idle_sleeper_ = -1;
  Wakes wake;
  leave(thread, wake);
  if (state_.holder == thread) state_.holder = -1;
  end_switch_wait(thread);
  int restart = -1;
  if (free_running(thread)) detach(thread, restart);
  return wake.thread[0] >= 0 ? wake.thread[0] : restart;
}

void GilCore::set_free_running(int thread, bool on) {
  auto t = static_cast<std::size_t>(thread);
  if (t >= free_running_.size()) free_running_.resize(t + 1, 0);
  free_running_[t] = on ? 1 : 0;
}

void GilCore::detach(int thread, int& wake) {
  set_free_running(thread, false);
  if (stopping_ == 0 || --stopping_ > 0) return;
  // _PyEval_StartTheWorldAll: the first waiter takes the GIL.
  if (state_.holder < 0 && !state_.waiters.empty()) {
    Waiter& head = state_.waiters.front();
    head.signalled = true;
    wake = head.thread;
  }
}

bool GilCore::enable(int thread, std::vector<int>& stop) {
  stop.clear();
  if (policy_->exclusive() || !policy_->enable()) return false;
  for (std::size_t t = 0; t < free_running_.size(); ++t)
    if (free_running_[t] && static_cast<int>(t) != thread) stop.push_back(static_cast<int>(t));
  stopping_ = static_cast<int>(stop.size()) + (free_running(thread) ? 1 : 0);
  return true;
}

}  // namespace gilsim
