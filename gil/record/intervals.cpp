#include "gil/record/intervals.h"

namespace gilsim {

std::vector<StateInterval> state_intervals(const RunRecord& run) {
  size_t n = run.threads.size();
  std::vector<std::vector<StateInterval>> per_thread(n);
  struct Open {
    ThreadStateKind state = ThreadStateKind::Waiting;
    Nanos start = 0;
    Reason reason = Reason::Start;
    std::uint64_t steps_at_start = 0;
    int handoff_from = -1;
    Nanos handoff_release = -1;
    bool live = false;
    std::int32_t code = -1;
    std::int32_t line = 0;
  };
  std::vector<Open> open(n);
  // Without a GIL (`none`) there is nothing to wait for: see compute_metrics.
  const ThreadStateKind wants = run.exclusive ? ThreadStateKind::Waiting : ThreadStateKind::Running;
  std::vector<int> last_releaser(run.gils.size(), -1);
  std::vector<Nanos> last_release(run.gils.size(), -1);
  std::vector<std::uint64_t> steps(n, 0);

  auto close = [&](size_t t, Nanos at) {
    Open& o = open[t];
    if (!o.live || at <= o.start) return;
    StateInterval iv{static_cast<int>(t), o.state,           o.start, at,    o.reason, 0,
                     o.handoff_from,      o.handoff_release, o.code,  o.line};
    per_thread[t].push_back(iv);
  };
  auto begin = [&](size_t t, ThreadStateKind s, Nanos at, Reason r, const Event* from = nullptr) {
    close(t, at);
    open[t] = Open{s, at, r, steps[t], -1, -1, true};
    if (from && from->code >= 0) {
      open[t].code = from->code;
      open[t].line = from->line;
    }
  };

  for (const Event& e : run.events) {
    auto t = static_cast<size_t>(e.thread);
    switch (e.kind) {
      case EventKind::Spawn:
        begin(t, wants, e.time, Reason::Start);
        break;
      case EventKind::Request:
        if (open[t].state != wants || !open[t].live) {
          begin(t, wants, e.time, e.reason, &e);
        } else {
          open[t].reason = e.reason;  // spawn -> request: one waiting interval
          if (e.code >= 0) {
            open[t].code = e.code;
            open[t].line = e.line;
          }
        }
        break;
      case EventKind::Acquire: {
        begin(t, ThreadStateKind::Running, e.time, Reason::None, &e);
        if (run.exclusive && last_releaser[e.gil] >= 0 && last_releaser[e.gil] != e.thread) {
          open[t].handoff_from = last_releaser[e.gil];
          open[t].handoff_release = last_release[e.gil];
        }
        break;
      }
      case EventKind::Release: {
        // The running interval ends here; its bytecodes are the growth of the thread's count.
        auto now_steps = static_cast<std::uint64_t>(e.arg);
        if (open[t].live && open[t].state == ThreadStateKind::Running) {
          close(t, e.time);
          if (!per_thread[t].empty() && per_thread[t].back().end == e.time)
            per_thread[t].back().bytecodes = now_steps - open[t].steps_at_start;
          open[t].live = false;
        }
        steps[t] = now_steps;
        last_releaser[e.gil] = e.thread;
        last_release[e.gil] = e.time;
        ThreadStateKind next = state_after_release(e.reason);
        if (next == ThreadStateKind::Done) {
          close(t, e.time);
          open[t].live = false;
        } else {
          begin(t, next, e.time, e.reason, &e);
        }
        break;
      }
      case EventKind::Exit:
        close(t, e.time);
        open[t].live = false;
        break;
      default:
        break;
    }
  }
  for (size_t t = 0; t < n; ++t) close(t, run.observed_end());
  std::vector<StateInterval> out;
  for (auto& v : per_thread) out.insert(out.end(), v.begin(), v.end());
  return out;
}

std::vector<HolderSpan> holder_spans(const RunRecord& run) {
  std::vector<HolderSpan> out;
  if (!run.exclusive) return out;
  std::vector<int> holder(run.gils.size(), -1);
  std::vector<Nanos> since(run.gils.size(), 0);
  auto change = [&](size_t g, int thread, Nanos at) {
    if (at > since[g]) out.push_back(HolderSpan{static_cast<int>(g), holder[g], since[g], at});
    holder[g] = thread;
    since[g] = at;
  };
  for (const Event& e : run.events) {
    if (e.kind == EventKind::Acquire) change(e.gil, e.thread, e.time);
    if (e.kind == EventKind::Release && holder[e.gil] == e.thread) change(e.gil, -1, e.time);
  }
  for (size_t g = 0; g < holder.size(); ++g) change(g, -1, run.observed_end());
  return out;
}

}  // namespace gilsim
