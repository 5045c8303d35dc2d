// The policies, one file each. Make them through make_policy() (gil/policies/catalog.h), which
// knows their names; these factories are its building blocks.
#pragma once

#include <memory>

#include "gil/core/policy.h"

namespace gilsim {

std::unique_ptr<Policy> make_legacy_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_modern_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_fifo_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_io_priority_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_gvl_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_none_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_pypy_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_ocaml_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_gvl_3_2_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_lua_policy(const PolicyParams& params);
std::unique_ptr<Policy> make_free_threaded_policy(const PolicyParams& params);

}  // namespace gilsim
