// none: free-threaded Python (PEP 703, CPython 3.13t+): no global lock at all.
//
// Every thread runs bytecode whenever it is runnable, truly in parallel on the cores there are.
// Shared objects stay memory-safe through their own locks (a list's mutex, the globals' mutex,
// atomic reference counts), like free-threaded CPython's per-object critical sections, but
// Python-level read-modify-write sequences such as `x += 1` are not atomic: they lose updates.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class NonePolicy final : public Policy {
 public:
  std::string_view name() const override { return "none"; }
  bool exclusive() const override { return false; }
  bool may_take_now(const GilState&, int, Reason) const override { return true; }
};

}  // namespace

std::unique_ptr<Policy> make_none_policy(const PolicyParams&) {
  return std::make_unique<NonePolicy>();
}

}  // namespace gilsim
