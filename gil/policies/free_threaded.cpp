// free-threaded: CPython 3.13t's build (Py_GIL_DISABLED; Python/ceval_gil.c:
// _PyEval_EnableGILTransient, _PyEval_EnableGILPermanent; Python/import.c, which calls them when
// it loads an extension module that has no Py_mod_gil slot saying Py_MOD_GIL_NOT_USED).
//
// The GIL exists but is off: threads run truly in parallel, as under `none`. Importing such an
// extension turns it on for the rest of the run: the importer detaches, stops the world (every
// other attached thread suspends at its next eval-breaker check), sets gil->enabled, starts the
// world, and from then on every thread attaches by taking the GIL of the default build
// (take_gil / drop_gil, the switch interval, forced switching: `modern`). In gilsim the import is
// gilsim.import_extension(name). PYTHON_GIL=1 (or -X gil=1) starts with the GIL on; PYTHON_GIL=0
// keeps it off whatever is imported (config->enable_gil is no longer _PyConfig_GIL_DEFAULT, so
// neither function does anything).
#include "gil/policies/policies.h"

namespace gilsim {

namespace {

class FreeThreadedPolicy final : public Policy {
 public:
  explicit FreeThreadedPolicy(const PolicyParams& p)
      : config_(p.get("PYTHON_GIL", -1)), enabled_(config_ == 1), gil_(make_modern_policy(p)) {}
  std::string_view name() const override { return "free-threaded"; }

  bool exclusive() const override { return enabled_; }
  bool enable() override {
    if (config_ != -1 || enabled_) return false;
    enabled_ = true;
    return true;
  }

  bool forced_switching() const override { return gil_->forced_switching(); }
  bool may_take_now(const GilState& gil, int thread, Reason why) const override {
    return gil_->may_take_now(gil, thread, why);
  }
  Nanos wait_timeout(const GilState& gil, const Waiter& w) const override {
    return gil_->wait_timeout(gil, w);
  }
  bool on_timeout(GilState& gil, Waiter& w, Nanos now) override {
    return gil_->on_timeout(gil, w, now);
  }
  bool timeout_only_asks_to_drop() const override { return gil_->timeout_only_asks_to_drop(); }

 private:
  std::int64_t config_;  // PYTHON_GIL: -1 unset, 0 or 1
  bool enabled_;
  std::unique_ptr<Policy> gil_;  // the default build's GIL, once it is on
};

}  // namespace

std::unique_ptr<Policy> make_free_threaded_policy(const PolicyParams& params) {
  return std::make_unique<FreeThreadedPolicy>(params);
}

}  // namespace gilsim
