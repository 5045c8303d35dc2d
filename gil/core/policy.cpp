#include "gil/core/policy.h"

namespace gilsim {

const Waiter* GilState::find(int thread) const {
  for (const Waiter& w : waiters)
    if (w.thread == thread) return &w;
  return nullptr;
}

Waiter* GilState::find(int thread) {
  for (Waiter& w : waiters)
    if (w.thread == thread) return &w;
  return nullptr;
}

}  // namespace gilsim
