// The policy registry: every policy gilsim has, one row each (its name, what it models, its
// parameters, the real source it follows, its factory), and the --gil-param keys they read. The
// `gilsim policies` table, --policy's names and make_policy() all read this one table.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gil/core/policy.h"

namespace gilsim {

// One row of the policy registry: everything gilsim knows about a policy, in one place (the
// `gilsim policies` table, --policy's names, the factory).
struct PolicyInfo {
  std::string name;
  std::string models;      // what it models, one line
  std::string parameters;  // its parameters and defaults
  std::string source;      // the real source it follows
  std::unique_ptr<Policy> (*make)(const PolicyParams&) = nullptr;
};

// The registry, in teaching order. A new policy is one file in gil/policies/ and one row in
// catalog.cpp.
const std::vector<PolicyInfo>& policy_catalog();
// Makes the policy called `name`, or nullptr if there is none.
std::unique_ptr<Policy> make_policy(std::string_view name, const PolicyParams& params);

// One key --gil-param accepts.
struct PolicyParamKey {
  std::string key;
  bool duration;         // a duration (5ms, 100us) or a count
  std::string policies;  // which policies read it
  std::string meaning;
};
const std::vector<PolicyParamKey>& policy_param_keys();

}  // namespace gilsim
