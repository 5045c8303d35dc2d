// lua: the lock a Lua embedder defines for lua_lock / lua_unlock (Lua 5.1-5.4 llimits.h; lvm.c
// calls luai_threadyield, {lua_unlock(L); lua_lock(L);}, at jumps in 5.1's dojump). With a plain
// pthread mutex, as the usual patches (LuaThreads, lua_lock examples) do, that is the naive
// baseline of a global lock: let go now and then, take it straight back, no queue, no timer, no
// hand-off. A waiter gets in only if the OS wakes it inside the window between the unlock and the
// lock; the releasing thread, still on its core, usually wins.
//
// gilsim lets go after every `yield_ticks` ticks (1: every instruction Python 2's loop counted),
// through the same release-and-retake as the legacy check interval.
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class LuaPolicy final : public Policy {
 public:
  explicit LuaPolicy(const PolicyParams& p) : every_(p.get("yield_ticks", 1)) {}
  std::string_view name() const override { return "lua"; }
  bool counts_ticks() const override { return true; }
  std::int64_t check_interval() const override { return every_ >= 1 ? every_ : 1; }
  // pthread_mutex_lock: whoever finds it free takes it.
  bool may_take_now(const GilState& gil, int, Reason) const override { return gil.holder < 0; }

 private:
  std::int64_t every_;
};

}  // namespace

std::unique_ptr<Policy> make_lua_policy(const PolicyParams& params) {
  return std::make_unique<LuaPolicy>(params);
}

}  // namespace gilsim
