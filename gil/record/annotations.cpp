#include "gil/record/annotations.h"

#include <algorithm>
#include <bit>

namespace gilsim {

std::int32_t Labels::intern(std::string_view label) {
  std::lock_guard lk(mu_);
  auto [it, added] =
      index_.try_emplace(std::string(label), static_cast<std::int32_t>(names_.size()));
  if (added) names_.push_back(it->first);
  return it->second;
}

std::vector<std::string> Labels::names() const {
  std::lock_guard lk(mu_);
  return names_;
}

namespace {

AnnotationStep span_end(std::vector<std::string>& open) {
  AnnotationStep step{EventKind::SpanEnd, static_cast<std::int64_t>(open.size() - 1),
                      std::move(open.back())};
  open.pop_back();
  return step;
}

}  // namespace

std::vector<AnnotationStep> annotation_steps(std::vector<std::string>& open, Annotation kind,
                                             std::string_view label, double value) {
  std::vector<AnnotationStep> steps;
  switch (kind) {
    case Annotation::Mark:
      steps.push_back({EventKind::Mark, 0, std::string(label)});
      break;
    case Annotation::Counter:
      steps.push_back({EventKind::Counter, std::bit_cast<std::int64_t>(value), std::string(label)});
      break;
    case Annotation::SpanBegin:
      steps.push_back(
          {EventKind::SpanBegin, static_cast<std::int64_t>(open.size()), std::string(label)});
      open.emplace_back(label);
      break;
    case Annotation::SpanEnd: {
      size_t k = open.size();
      while (k > 0 && open[k - 1] != label) --k;
      if (k == 0) break;  // not open on this thread: nothing to close
      while (open.size() >= k) steps.push_back(span_end(open));
      break;
    }
  }
  return steps;
}

std::vector<AnnotationStep> close_open_spans(std::vector<std::string>& open) {
  std::vector<AnnotationStep> steps;
  while (!open.empty()) steps.push_back(span_end(open));
  return steps;
}

double counter_value(const Event& e) { return std::bit_cast<double>(e.arg); }

std::vector<std::vector<SpanSlice>> span_slices(const RunRecord& run) {
  std::vector<std::vector<SpanSlice>> out(run.threads.size());
  std::vector<std::vector<SpanSlice>> open(run.threads.size());
  for (const Event& e : run.events) {
    auto t = static_cast<size_t>(e.thread);
    if (t >= out.size()) continue;
    if (e.kind == EventKind::SpanBegin) {
      open[t].push_back(
          SpanSlice{e.thread, e.time, e.time, e.code, static_cast<std::int64_t>(open[t].size())});
    } else if (e.kind == EventKind::SpanEnd && !open[t].empty()) {
      open[t].back().end = e.time;
      out[t].push_back(open[t].back());
      open[t].pop_back();
    }
  }
  for (size_t t = 0; t < out.size(); ++t) {
    for (SpanSlice& s : open[t]) {
      s.end = std::max(s.start, run.observed_end());
      out[t].push_back(s);
    }
    std::sort(out[t].begin(), out[t].end(), [](const SpanSlice& a, const SpanSlice& b) {
      return a.start != b.start ? a.start < b.start : a.depth < b.depth;
    });
  }
  return out;
}

}  // namespace gilsim
