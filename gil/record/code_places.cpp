#include "gil/record/code_places.h"

#include <algorithm>

#include "vm/code.h"
#include "vm/thread_state.h"

namespace gilsim {

void CodePlaces::stamp(Event& e, const ThreadState& ts) {
  if (ts.frames.empty()) return;
  const Frame& fr = ts.frames.back();
  const Code* code = fr.code;
  if (!code) return;
  // The saved ip is past the instruction that called the host (or 0 at a function's entry): the
  // line is that instruction's, as a traceback shows it.
  std::uint32_t at = fr.ip > 0 ? fr.ip - 1 : 0;
  const auto& pos = code->positions;
  auto it = std::upper_bound(pos.begin(), pos.end(), at,
                             [](std::uint32_t off, const Position& p) { return off < p.offset; });
  e.line = it == pos.begin() ? code->first_line : (it - 1)->line;
  std::lock_guard lock(mu_);
  auto [where, added] = number_.try_emplace(code, static_cast<std::int32_t>(names_.size()));
  if (added) names_.push_back(code->name);
  e.code = where->second;
}

std::vector<std::string> CodePlaces::names() const {
  std::lock_guard lock(mu_);
  return names_;
}

}  // namespace gilsim
